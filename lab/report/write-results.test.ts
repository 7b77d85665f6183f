import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
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
  it('writes the timestamped JSON and markdown, latest.json and latest.md, and the chart SVGs', async () => {
    const written = await writeResults(sampleResult(), { reportsDir });

    const dir = path.join(reportsDir, 'redis-outage');
    expect((await readdir(dir)).sort()).toEqual([
      '2025-03-01T10-00-00-000Z-breaker.svg',
      '2025-03-01T10-00-00-000Z-hit-rate.svg',
      '2025-03-01T10-00-00-000Z-latency.svg',
      '2025-03-01T10-00-00-000Z.json',
      '2025-03-01T10-00-00-000Z.md',
      'latest.json',
      'latest.md',
    ]);
    expect(JSON.parse(await readFile(written.latestJson, 'utf8'))).toEqual(sampleResult());
    expect(await readFile(written.markdown, 'utf8')).toBe(await readFile(written.latestMarkdown, 'utf8'));
  });

  it('makes latest.md link chart files that exist and parse as SVG', async () => {
    const written = await writeResults(sampleResult(), { reportsDir });

    const links = await linkedSvgs(written.latestMarkdown);
    expect(links).toHaveLength(3);
    for (const file of links) {
      expect(parseSvgOutline(await readFile(file, 'utf8')).elements).toBeGreaterThan(20);
    }
  });

  it('points latest.* at the newest run while keeping the older run’s files', async () => {
    await writeResults(sampleResult(), { reportsDir });
    const second = sampleResult({
      startedAt: '2025-03-02T08:00:00.000Z',
      finishedAt: '2025-03-02T08:00:31.000Z',
      passed: true,
    });
    const written = await writeResults(second, { reportsDir });

    expect(JSON.parse(await readFile(written.latestJson, 'utf8'))).toMatchObject({
      startedAt: '2025-03-02T08:00:00.000Z',
    });
    const links = await linkedSvgs(written.latestMarkdown);
    expect(links.every((l) => path.basename(l).startsWith('2025-03-02T08-00-00-000Z'))).toBe(true);
    const files = await readdir(path.join(reportsDir, 'redis-outage'));
    expect(files).toContain('2025-03-01T10-00-00-000Z.md');
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an invalid result before writing anything', async () => {
    const invalid = { ...sampleResult(), scenario: 'Bad Name' };
    await expect(writeResults(invalid, { reportsDir })).rejects.toThrow(/scenario must be kebab-case/);
    expect(await readdir(reportsDir)).toEqual([]);
  });
});
