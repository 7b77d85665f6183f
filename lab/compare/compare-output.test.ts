import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSvgOutline } from '../report/svg-outline.test-support.ts';
import { parseComparisonReport, writeComparison } from './compare-output.ts';
import { sampleComparison } from './sample-comparison.test-support.ts';

let outDir: string;
beforeEach(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'lab-compare-out-'));
});
afterEach(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('writeComparison', () => {
  it('writes the timestamped and latest JSON and markdown and a chart per metric', async () => {
    const written = await writeComparison(sampleComparison(), { outDir });

    const stamp = 'compare-2025-03-01T10-00-00-000Z';
    expect((await readdir(path.join(outDir, 'smoke'))).sort()).toEqual([
      `${stamp}-api.sqlPerWrite.svg`,
      `${stamp}-http.latency.p99Ms.svg`,
      `${stamp}.json`,
      `${stamp}.md`,
      'compare-latest.json',
      'compare-latest.md',
    ]);
    const latest: unknown = JSON.parse(await readFile(written.latestJson, 'utf8'));
    expect(parseComparisonReport(latest)).toEqual(sampleComparison());
    expect(await readFile(written.json, 'utf8')).toBe(await readFile(written.latestJson, 'utf8'));
  });

  it('makes compare-latest.md link chart files that exist and parse as SVG', async () => {
    const written = await writeComparison(sampleComparison(), { outDir });

    const md = await readFile(written.latestMarkdown, 'utf8');
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)].map((m) =>
      path.resolve(path.dirname(written.latestMarkdown), decodeURI(m[1] ?? '')),
    );
    expect(links).toHaveLength(2);
    for (const file of links)
      expect(parseSvgOutline(await readFile(file, 'utf8')).elements).toBeGreaterThan(20);
  });

  it('refuses a report that breaks the schema before writing anything', async () => {
    const broken = { ...sampleComparison(), verdict: 'worse' } as unknown as ReturnType<
      typeof sampleComparison
    >;
    await expect(
      writeComparison(broken, { outDir, renderCharts: () => Promise.resolve({}) }),
    ).rejects.toThrow(/verdict/);
    expect(await readdir(outDir)).toEqual([]);
  });
});

describe('parseComparisonReport', () => {
  it('lists every problem with its path', () => {
    const report = sampleComparison();
    const broken = { ...report, rounds: 0, metrics: [{ ...report.metrics[0], pValue: 2, ci95: [1] }] };
    let message = '';
    try {
      parseComparisonReport(broken);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid comparison report:/);
    expect(message).toContain('- rounds:');
    expect(message).toContain('- metrics.0.pValue:');
    expect(message).toContain('- metrics.0.ci95');
  });
});
