import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { histogramMetricNames, metricNames } from '../../contracts/service-metrics.ts';
import { ensurePrometheus, labRuleFiles } from './prometheus-runner.ts';
import { metricNamesInExpr } from './promql-metric-names.ts';

const rulesPath = labRuleFiles[0] ?? '';
const testsPath = rulesPath.replace(/\.yml$/, '.test.yml');

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}
interface RuleTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}
const rules = (parse(readFileSync(rulesPath, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('Prometheus alert and recording rules', () => {
  beforeAll(() => void ensurePrometheus(), 300_000);

  it('pass `promtool check rules`', () => {
    const { status, output } = promtool('check', 'rules', rulesPath);
    expect(status, output).toBe(0);
  });

  it('pass their own `promtool test rules` cases', () => {
    const { status, output } = promtool('test', 'rules', testsPath);
    expect(status, output).toBe(0);
  });

  it('every alert has a case where it fires and one where it stays quiet', () => {
    const cases = (parse(readFileSync(testsPath, 'utf8')) as RuleTests).tests.flatMap(
      (t) => t.alert_rule_test ?? [],
    );
    for (const alert of rules.flatMap((r) => (r.alert ? [r.alert] : []))) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${alert} never fires in a test`,
      ).toBe(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${alert} is never quiet in a test`,
      ).toBe(true);
    }
  });

  it('read only metrics the services export (or the rules record)', () => {
    const histograms = histogramMetricNames.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]);
    const known = new Set<string>([
      ...Object.values(metricNames),
      ...histograms,
      ...rules.flatMap((r) => (r.record ? [r.record] : [])),
    ]);
    const unknown = rules.flatMap((r) => metricNamesInExpr(r.expr).filter((name) => !known.has(name)));
    expect(unknown).toEqual([]);
  });
});
