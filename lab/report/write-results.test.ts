import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleResult } from './sample-result.test-support.ts';
import { parseSvgOutline } from './svg-outline.test-support.ts';
import { writeResults } from './write-results.ts';

let reportsDir: string;
beforeEach(async () => {
  reportsDir = await mkdtemp(path.join(tmpdir(), 'lab-reports-'));
});
afterEach(async () => {
  await rm(reportsDir, { recursive: true, force: true });
});

/** Every `![..](./file.svg)` link in a markdown file, resolved to a path. */
async function linkedSvgs(markdownFile: string): Promise<string[]> {
  const md = await readFile(markdownFile, 'utf8');
  return [...md.matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)].map((m) =>
    path.resolve(path.dirname(markdownFile), m[1] ?? ''),
  );
}

describe('writeResults', () => {
  it('writes the timestamped JSON and markdown, latest.json and latest.md, and the latest chart SVGs', async () => {
    const written = await writeResults(sampleResult(), { reportsDir });

    const dir = path.join(reportsDir, 'redis-outage');
    expect((await readdir(dir)).sort()).toEqual([
      '2025-03-01T10-00-00-000Z.json',
      '2025-03-01T10-00-00-000Z.md',
      'latest-breaker.svg',
      'latest-hit-rate.svg',
      'latest-latency.svg',
      'latest.json',
      'latest.md',
    ]);
    expect(JSON.parse(await readFile(written.latestJson, 'utf8'))).toEqual(sampleResult());
    expect(await readFile(written.markdown, 'utf8')).not.toContain('.svg');
  });

  it('makes latest.md link chart files that exist and parse as SVG', async () => {
    const written = await writeResults(sampleResult(), { reportsDir });

    const links = await linkedSvgs(written.latestMarkdown);
    expect(links).toHaveLength(3);
    for (const file of links) {
      expect(parseSvgOutline(await readFile(file, 'utf8')).elements).toBeGreaterThan(20);
    }
  });

  it('points latest.* at the newest run, keeps the older run’s JSON and markdown and removes other SVGs', async () => {
    await writeResults(sampleResult(), { reportsDir });
    const dir = path.join(reportsDir, 'redis-outage');
    await writeFile(path.join(dir, '2025-02-01T00-00-00-000Z-latency.svg'), '<svg/>');
    const second = sampleResult({
      startedAt: '2025-03-02T08:00:00.000Z',
      finishedAt: '2025-03-02T08:00:31.000Z',
      passed: true,
    });
    const written = await writeResults(second, {
      reportsDir,
      renderCharts: () => Promise.resolve({ latency: '<svg xmlns="http://www.w3.org/2000/svg"/>' }),
    });

    expect(JSON.parse(await readFile(written.latestJson, 'utf8'))).toMatchObject({
      startedAt: '2025-03-02T08:00:00.000Z',
    });
    expect(await linkedSvgs(written.latestMarkdown)).toEqual([path.join(dir, 'latest-latency.svg')]);
    const files = await readdir(dir);
    expect(files).toContain('2025-03-01T10-00-00-000Z.md');
    expect(files.filter((f) => f.endsWith('.svg'))).toEqual(['latest-latency.svg']);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an invalid result before writing anything', async () => {
    const invalid = { ...sampleResult(), scenario: 'Bad Name' };
    await expect(writeResults(invalid, { reportsDir })).rejects.toThrow(/scenario must be kebab-case/);
    expect(await readdir(reportsDir)).toEqual([]);
  });
});
