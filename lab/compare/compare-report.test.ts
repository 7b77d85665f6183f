import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSvgOutline } from '../report/svg-outline.test-support.ts';
import { renderCompareCharts } from './compare-chart-specs.ts';
import { appendStepSummary, renderCompareMarkdown } from './compare-report.ts';
import { sampleComparison } from './sample-comparison.test-support.ts';

describe('renderCompareMarkdown', () => {
  it('leads with the verdict and describes both sides', () => {
    const md = renderCompareMarkdown(sampleComparison());
    expect(md.split('\n')[0]).toBe('# Comparison `smoke`: ❌ REGRESSION');
    expect(md).toContain('(1 of 2 metrics regressed)');
    expect(md).toContain('- **Baseline:** `main` (0123456789ab)');
    expect(md).toContain('- **Candidate:** working tree with `worker:PREFETCH=50`');
  });

  it('has one row per metric with medians, ratio, interval, p-value and verdict', () => {
    const md = renderCompareMarkdown(sampleComparison());
    const row = md.split('\n').find((line) => line.startsWith('| `http.latency.p99Ms`')) ?? '';
    const cells = row.split(' | ');
    expect(cells.slice(1, 6)).toEqual(['lower', '±10 %', '100', '130', '1.3 (+30 %)']);
    expect(cells[6]).toMatch(/^1\.\d+ … 1\.\d+$/);
    expect(cells[7]).toBe('0.008');
    expect(cells[8]).toBe('regression |');
    expect(md).toContain(
      '| `api.sqlPerWrite` | lower, exact | ±0 % | 3 | 3 | 1 (+0 %) | exact | — | equivalent |',
    );
  });

  it('links a chart per metric only when its file is given', () => {
    expect(renderCompareMarkdown(sampleComparison())).not.toContain('![');
    const md = renderCompareMarkdown(sampleComparison(), {
      'http.latency.p99Ms': './compare-x-http latency.svg',
    });
    expect(md).toContain('![http.latency.p99Ms per round](./compare-x-http%20latency.svg)');
  });

  it('says why an invalid comparison is invalid and lists the unusable runs', () => {
    const md = renderCompareMarkdown(
      sampleComparison({
        verdict: 'invalid',
        invalidReason: 'candidate round 2 of 5 was invalid: load generator saturated',
        metrics: [],
        runs: [
          { side: 'baseline', round: 0, valid: true },
          {
            side: 'candidate',
            round: 1,
            valid: false,
            invalidReason: 'was invalid: load generator saturated',
          },
        ],
      }),
    );
    expect(md).toContain('⚠️ INVALID');
    expect(md).toContain('- **Invalid because:** candidate round 2 of 5 was invalid');
    expect(md).toContain('| candidate | 2 | was invalid: load generator saturated |');
    expect(md).toContain('No metric was judged.');
  });
});

describe('renderCompareCharts', () => {
  it('draws every round of both sides as points with a legend and integer round labels', async () => {
    const charts = await renderCompareCharts(sampleComparison());
    expect(Object.keys(charts)).toEqual(['http.latency.p99Ms', 'api.sqlPerWrite']);
    const svg = charts['http.latency.p99Ms'] ?? '';
    const outline = parseSvgOutline(svg);
    expect(outline.texts).toEqual(
      expect.arrayContaining(['http.latency.p99Ms', 'baseline', 'candidate', 'round']),
    );
    expect(outline.texts).toEqual(expect.arrayContaining(['1', '2', '3', '4', '5']));
    const pointGroup = /<g class="mark-symbol role-mark layer_0_marks"[^>]*>(.*?)<\/g>/s.exec(svg)?.[1] ?? '';
    expect(pointGroup.match(/<path /g)).toHaveLength(10);
    expect(svg).not.toMatch(/class="mark-line/);
  });
});

describe('appendStepSummary', () => {
  it('appends to the summary file when one is given, keeping what was there', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lab-summary-'));
    try {
      const file = path.join(dir, 'summary.md');
      await writeFile(file, '# Earlier step\n\n');
      expect(await appendStepSummary('# Comparison\n', file)).toBe(true);
      expect(await readFile(file, 'utf8')).toBe('# Earlier step\n\n# Comparison\n\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes nothing without a summary file', async () => {
    const writes: string[] = [];
    const append = (file: string) => Promise.resolve(void writes.push(file));
    expect(await appendStepSummary('# x', undefined, append)).toBe(false);
    expect(await appendStepSummary('# x', '', append)).toBe(false);
    expect(writes).toEqual([]);
  });
});
