import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { labResultSchema } from './report/result-schema.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

describe('a run whose own generator was the bottleneck', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('is declared invalid, exits 2 and says why, when its listener processes are starved', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'lab-starved-'));
    dirs.push(out);
    const json = path.join(out, 'result.json');
    // Every listener process blocks its loop 300 ms of every 500: receipts are stamped late.
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'lab/cli.ts', 'smoke', '--out', out, '--json', json],
      {
        cwd: repoRoot,
        env: { ...process.env, LAB_LISTENER_STALL_MS: '300', LAB_METRICS_PORT: '0' },
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    expect(run.status, run.stderr.slice(-2000)).toBe(2);
    expect(run.stderr).toMatch(/INVALID: .*listener processes' event-loop lag p99 \d+ ms > 100 ms/);
    const result = labResultSchema.parse(JSON.parse(await readFile(json, 'utf8')));
    expect(result.valid).toBe(false);
    expect(result.metrics['generator.listenerLagP99Ms']).toBeGreaterThan(100);
  });
});
