import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

/** A notifications service started as a child process for the bench (its own exchange and stream). */
export interface BenchTarget {
  child: ChildProcess;
  baseUrl: string;
  /** Resident set size of the service process, in bytes (from /proc). */
  rssBytes(): Promise<number>;
  /** Sum of a metric's samples whose line contains `labels`. */
  metric(name: string, labels?: string): Promise<number>;
  /** A quantile (0..1) of a Prometheus histogram, as the upper bound of its bucket, in the metric's unit. */
  histogramQuantile(name: string, quantile: number, labels?: string): Promise<number>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitReady(baseUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`${baseUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`notifications service not ready after ${timeoutMs} ms`);
}

export async function startBenchTarget(env: Record<string, string>): Promise<BenchTarget> {
  const port = await freePort();
  // e.g. BENCH_SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the service under load.
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'system/notifications/main.ts'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      ...env,
      PORT: String(port),
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitReady(baseUrl, 30_000);
  return {
    child,
    baseUrl,
    async rssBytes() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kb * 1024;
    },
    async metric(name, labels = '') {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`) && l.includes(labels))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    },
    async histogramQuantile(name, quantile, labels = '') {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      const buckets = text
        .split('\n')
        .filter((l) => l.startsWith(`${name}_bucket{`) && l.includes(labels))
        .map((l) => ({ le: Number(/le="([^"]+)"/.exec(l)?.[1]), count: Number(l.split(' ').pop()) }))
        .sort((a, b) => a.le - b.le);
      const total = buckets.at(-1)?.count ?? 0;
      return buckets.find((b) => b.count >= quantile * total)?.le ?? Number.NaN;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}
