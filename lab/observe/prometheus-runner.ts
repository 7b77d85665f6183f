import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScrapeTarget {
  /** Prometheus `job` label. */
  job: string;
  /** host:port serving /metrics. */
  address: string;
}

export interface StartPrometheusOptions {
  targets: ScrapeTarget[];
  /** Port of the web UI/API; 0 picks a free one. Default 9090. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 5 s. */
  scrapeIntervalSec?: number;
  /** Milliseconds to wait for /-/ready. Default 30 s. */
  readyTimeoutMs?: number;
  /** Receives Prometheus' own log lines (stderr). Default: discarded. */
  onLog?: (line: string) => void;
  /** The executable; default `prometheus` on PATH. */
  binary?: string;
  /** Rule files to load (absolute paths); default the lab's alert and recording rules. */
  ruleFiles?: string[];
}

export interface RunningPrometheus {
  url: string;
  configPath: string;
  /** Resolves when the process exits on its own or after stop(). */
  exited: Promise<number | null>;
  /** Replaces the scrape targets; Prometheus picks the change up within about a second. */
  setTargets(targets: ScrapeTarget[]): Promise<void>;
  /** Stops Prometheus (SIGTERM, then SIGKILL after 10 s) and removes its temporary files. Idempotent. */
  stop(): Promise<void>;
}

export const defaultScrapeTargets: ScrapeTarget[] = [
  { job: 'api', address: '127.0.0.1:5000' },
  { job: 'notifications', address: '127.0.0.1:5001' },
  { job: 'worker', address: '127.0.0.1:5002' },
  { job: 'lab', address: '127.0.0.1:9464' },
];

const ensureToolsScript = new URL('./ensure-tools.sh', import.meta.url).pathname;

/** The alert and recording rules the compose stack's Prometheus loads too. */
export const labRuleFiles: readonly string[] = [
  new URL('../../deploy/prometheus-rules.yml', import.meta.url).pathname,
];

/**
 * Installs the Debian `prometheus` package when missing (see ensure-tools.sh) and returns what the
 * script said; throws with its explanation when it cannot.
 */
export function ensurePrometheus(): string {
  const result = spawnSync('bash', [ensureToolsScript, 'prometheus'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot provide prometheus:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

/**
 * Prometheus configuration (JSON is valid YAML): one scrape job reading its targets from
 * `targetsPath` (file-based discovery, so targets can change while it runs); each target's
 * `job` label names it.
 */
export function prometheusConfig(
  targetsPath: string,
  scrapeIntervalSec = 5,
  ruleFiles: readonly string[] = labRuleFiles,
): string {
  const interval = `${scrapeIntervalSec}s`;
  return JSON.stringify(
    {
      global: { scrape_interval: interval, evaluation_interval: interval },
      rule_files: ruleFiles,
      scrape_configs: [
        {
          job_name: 'lab-observe',
          scrape_timeout: interval,
          file_sd_configs: [{ files: [targetsPath], refresh_interval: '1s' }],
        },
      ],
    },
    null,
    2,
  );
}

/** Prometheus' file_sd format, written atomically (rename) so it never reads half a file. */
async function writeTargets(targetsPath: string, targets: ScrapeTarget[]): Promise<void> {
  const groups = targets.map(({ job, address }) => ({ targets: [address], labels: { job } }));
  await writeFile(`${targetsPath}.tmp`, JSON.stringify(groups, null, 2));
  await rename(`${targetsPath}.tmp`, targetsPath);
}

async function freePort(host: string): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

async function waitReady(url: string, exited: Promise<unknown>, timeoutMs: number, tail: () => string) {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done) throw new Error(`prometheus exited before it was ready:\n${tail()}`);
    const ok = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`prometheus not ready at ${url} within ${timeoutMs} ms:\n${tail()}`);
}

/** Runs a real Prometheus (the binary, no Docker) scraping `targets`, with storage in a temporary folder. */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port === 0 ? await freePort(host) : (options.port ?? 9090);
  const dir = await mkdtemp(join(tmpdir(), 'lab-prometheus-'));
  const configPath = join(dir, 'prometheus.yml');
  const targetsPath = join(dir, 'targets.json');
  await writeTargets(targetsPath, options.targets);
  await writeFile(configPath, prometheusConfig(targetsPath, options.scrapeIntervalSec, options.ruleFiles));
  const child = spawn(
    options.binary ?? 'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${host}:${port}`,
      '--storage.tsdb.retention.time=1d',
      // Keeps the trace ids the services attach to latency buckets (exemplars, OpenMetrics scrapes).
      '--enable-feature=exemplar-storage',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const lines: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      lines.push(line);
      if (lines.length > 50) lines.shift();
      options.onLog?.(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (error) => {
      lines.push(String(error));
      resolve(null);
    });
  });
  // If this process exits without stop() (crash, process.exit), take Prometheus and its files along.
  const onExit = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })());
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  try {
    await waitReady(url, exited, options.readyTimeoutMs ?? 30_000, () => lines.join('\n'));
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, configPath, exited, stop, setTargets: (targets) => writeTargets(targetsPath, targets) };
}
