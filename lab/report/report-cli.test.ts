import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReportCli } from './report-cli.ts';
import { sampleResult } from './sample-result.test-support.ts';
import { writeResults } from './write-results.ts';

const noCharts = () => Promise.resolve({});
let root: string;
let reportsDir: string;
let out: string;
let stdout: string[];
let stderr: string[];
const io = () => ({ stdout: (l: string) => stdout.push(l), stderr: (l: string) => stderr.push(l) });

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'lab-report-cli-'));
  reportsDir = path.join(root, 'reports');
  out = path.join(root, 'REPORT.md');
  stdout = [];
  stderr = [];
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('report CLI', () => {
  it('summarises every scenario’s latest result with headline metrics, gates and a link to latest.md', async () => {
    await writeResults(sampleResult(), { reportsDir, renderCharts: noCharts });
    await writeResults(sampleResult({ scenario: 'dedupe-burst', passed: true, gates: [] }), {
      reportsDir,
      renderCharts: noCharts,
    });

    const code = await runReportCli(['--reports', reportsDir, '--out', out], io());

    expect(code).toBe(0);
    const md = await readFile(out, 'utf8');
    expect(md).toContain(
      '| dedupe-burst | PASSED | local | 2025-03-01T10:00:00.000Z | 0/0 | [latest.md](./reports/dedupe-burst/latest.md) |',
    );
    expect(md).toContain(
      '| redis-outage | FAILED | local | 2025-03-01T10:00:00.000Z | 1/2 | [latest.md](./reports/redis-outage/latest.md) |',
    );
    expect(md).toContain('### redis-outage: FAILED');
    expect(md).toContain('| `http.latency.p99Ms` | 310.25 |');
    expect(md).toContain('| `dedupe.hitRate` | 0.734 |');
    expect(md).toContain('| no lost events | `events.lost` == 0 | 0 | PASS |');
    expect(md).toContain('Machine: 2 × Test CPU @ 3.0GHz');
    expect(stdout.join('\n')).toContain('from 2 result(s)');
  });

  it('reports a broken latest.json in REPORT.md and on stderr instead of skipping it, exiting 1', async () => {
    await writeResults(sampleResult(), { reportsDir, renderCharts: noCharts });
    await mkdir(path.join(reportsDir, 'half-written'), { recursive: true });
    await writeFile(
      path.join(reportsDir, 'half-written', 'latest.json'),
      '{"scenario": "half-written", "passed": tr',
    );

    const code = await runReportCli(['--reports', reportsDir, '--out', out], io());

    expect(code).toBe(1);
    const md = await readFile(out, 'utf8');
    expect(md).toContain('| half-written | BROKEN RESULT FILE |');
    expect(md).toContain('## Broken result files');
    expect(md).toContain('./reports/half-written/latest.json');
    expect(stderr.join('\n')).toMatch(/half-written[/\\]latest\.json is not a valid result/);
  });

  it('writes a "no results yet" report when there is no reports directory', async () => {
    expect(await runReportCli(['--reports', reportsDir, '--out', out], io())).toBe(0);
    expect(await readFile(out, 'utf8')).toContain('No results yet');
  });

  it('rejects an unknown option by name with exit code 2', async () => {
    expect(await runReportCli(['--report', reportsDir], io())).toBe(2);
    expect(stderr.join('\n')).toContain("Unknown option '--report'; did you mean --reports?");
    expect(await runReportCli(['--out'], io())).toBe(2);
    expect(stderr.join('\n')).toContain("Option '--out <value>' argument missing");
  });

  it('runs as `tsx lab/report/report-main.ts` and sets the exit code', async () => {
    const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const run = promisify(execFile);
    const failure = await run(process.execPath, ['--import', 'tsx', 'lab/report/report-main.ts', '--bogus'], {
      cwd: repo,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain("Unknown option '--bogus'");
  });
});
