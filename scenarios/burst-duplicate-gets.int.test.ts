import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const outDir = mkdtempSync(path.join(tmpdir(), 'lab-burst-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Runs the CLI to completion (a real local target: fault proxy + the three services). */
function runCli(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'lab/cli.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, LAB_METRICS_PORT: '0' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // SIGINT lets the CLI tear its target down; the test then fails on the exit code.
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('burst-duplicate-gets against a deliberately broken build', () => {
  it('exits 1 naming the failing gate when de-duplication is switched off by configuration', async () => {
    const args = [
      'burst-duplicate-gets',
      '--dedupe-mode',
      'off',
      '--wave-size',
      '100',
      '--waves',
      '1',
      '--rate',
      '0',
      '--out',
      outDir,
    ];
    const { code, output } = await runCli(args, 170_000);
    expect(output).toMatch(
      /FAIL off: cold bursts are de-duplicated \(client hit rate >= 0\.99\): 0 >= 0\.99/,
    );
    expect(code).toBe(1);
    const result = JSON.parse(
      readFileSync(path.join(outDir, 'burst-duplicate-gets', 'latest.json'), 'utf8'),
    ) as {
      passed: boolean;
      gates: { name: string; passed: boolean; value: number | null }[];
      metrics: Record<string, number>;
    };
    expect(result.passed).toBe(false);
    expect(result.gates.find((g) => g.name.startsWith('off: cold bursts'))).toMatchObject({
      passed: false,
      value: 0,
    });
    // Nothing was answered as a duplicate, on either side.
    expect(result.metrics['dedupe.hitRate']).toBe(0);
    expect(result.metrics['dedupe.server.hitRate']).toBe(0);
  }, 180_000);
});
