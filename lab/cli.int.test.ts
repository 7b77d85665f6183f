import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const outDir = mkdtempSync(path.join(tmpdir(), 'lab-cli-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'lab/cli.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** PIDs of live processes whose environment or command line mention `needle`. */
function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      if (environ.includes(needle) || cmdline.includes(needle)) found.push(Number(entry));
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm run scenario', () => {
  it('exits 2 naming an unknown scenario and the known ones, in one line', () => {
    const r = cli(['no-such-scenario']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown scenario "no-such-scenario"; scenarios: smoke, ');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli(['smok']).stderr.trim()).toBe('scenario: unknown scenario "smok"; did you mean smoke?');
  });

  it('exits 2 naming an unknown option and where the options are listed', () => {
    const r = cli(['smoke', '--no-such-option', '3']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'--no-such-option'");
    expect(r.stderr).toContain('(options: npm run scenario smoke -- --help)');
  });

  it('lists scenarios with their hypotheses and exits 0', () => {
    const r = cli(['list']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\s+smoke\s+every path works once/m);
  });

  it('leaves no child process, proxy or open port behind when interrupted mid-run', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'lab/cli.ts', 'smoke', '--out', outDir], {
      cwd: repoRoot,
      env: { ...process.env, LAB_METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Wait for a progress line of a timed phase: services, proxies and listeners are all up by then.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no phase progress line within 50 s:\n${stderr}`)),
        50_000,
      );
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (/\[smoke\] phase=(crud|burst|steady)/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`the run ended before its first phase:\n${stderr}`)));
    });
    const runId = /run (lab-smoke-[0-9a-f]+)/.exec(stderr)?.[1];
    expect(runId).toBeDefined();
    const ports = [
      ...stderr.matchAll(
        /(?:on http:\/\/127\.0\.0\.1:|at http:\/\/127\.0\.0\.1:|proxy \w+: 127\.0\.0\.1:)(\d+)/g,
      ),
    ].map((m) => Number(m[1]));
    // api, worker, notifications, the Toxiproxy API and four proxies.
    expect(ports.length).toBeGreaterThanOrEqual(8);
    expect(processesMentioning(runId ?? '?').length).toBeGreaterThanOrEqual(4);

    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('SIGINT: stopping the run');
    expect(processesMentioning(runId ?? '?')).toEqual([]);
    for (const port of ports) expect(await portOpen(port), `port ${port}`).toBe(false);
  }, 90_000);
});
