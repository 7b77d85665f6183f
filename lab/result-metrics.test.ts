import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { labResultSchema } from './report/result-schema.ts';
import { resultMetricUnits, resultMetrics, type ResultMetricUnit } from './result-metrics.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The metric names of the README's table of stable result metrics. */
function documentedNames(): string[] {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const table = readme.slice(readme.indexOf('| metric '), readme.indexOf('Per-phase values are'));
  return [...table.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1] ?? '');
}

const fits: Record<ResultMetricUnit, (value: number) => boolean> = {
  ratio: (v) => v >= 0 && v <= 1,
  count: (v) => Number.isInteger(v) && v >= 0,
  ms: (v) => Number.isFinite(v) && v >= 0,
  average: (v) => Number.isFinite(v) && v >= 0,
};

describe('documented result metrics', () => {
  it('the README documents exactly the stable names the code keeps', () => {
    expect(documentedNames().sort()).toEqual(Object.values(resultMetrics).sort());
  });

  it("every scenario's latest result holds each documented metric with the documented unit, also per phase and variant", () => {
    const reports = `${root}reports`;
    const scenarios = readdirSync(reports).filter((d) => existsSync(`${reports}/${d}/latest.json`));
    expect(scenarios.length).toBeGreaterThan(0);
    for (const scenario of scenarios) {
      const result = labResultSchema.parse(
        JSON.parse(readFileSync(`${reports}/${scenario}/latest.json`, 'utf8')),
      );
      for (const [key, value] of Object.entries(result.metrics)) {
        // `phase.<p>.<metric>` and `variant.<v>.<metric>` carry a documented metric under a prefix.
        const name = key.replace(/^(phase|variant)\.[^.]+\./, '') as keyof typeof resultMetricUnits;
        const unit = resultMetricUnits[name];
        if (unit) expect(fits[unit](value), `${scenario}: ${key} = ${value} is not a ${unit}`).toBe(true);
      }
    }
  });
});
