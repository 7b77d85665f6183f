import { existsSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { spawnLoggedChild } from '../target/logged-child.ts';

const MAIN = fileURLToPath(new URL('./toxiproxy-server-main.ts', import.meta.url));
/** The repository root: `--import tsx` is resolved from the working directory. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface FaultProxyProcessOptions {
  /** 1 = one process; N >= 2 = a primary and N shard processes (`--shards N`). */
  shards: number;
  /** The process's stdout and stderr are appended here (its shards write here too). */
  logFile: string;
  /** API interface and port; default 127.0.0.1 and 0 (a free port). */
  host?: string;
  port?: number;
  /** How long it may take to print its API URL, milliseconds. Default 30,000. */
  readyDeadlineMs?: number;
}

export interface FaultProxyProcess {
  /** The Toxiproxy API, for `new Toxiproxy(url)`. */
  readonly url: string;
  readonly pid: number;
  /** Resolves with how the process ended. */
  readonly exited: Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5,000); resolves when it is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const URL_LINE = /toxiproxy API listening on (\S+)/;

/**
 * Starts `node --import tsx lab/faults/toxiproxy-server-main.ts` as a child process with an IPC
 * channel: the fault proxy stops when that channel closes, so a parent that dies, even by SIGKILL,
 * leaves no proxy (and no shard) behind. Resolves once it has printed its API URL.
 */
export async function startFaultProxyProcess(options: FaultProxyProcessOptions): Promise<FaultProxyProcess> {
  const { host = '127.0.0.1', port = 0, readyDeadlineMs = 30_000 } = options;
  const offset = existsSync(options.logFile) ? statSync(options.logFile).size : 0;
  const args = ['--host', host, '--port', String(port), '--shards', String(options.shards)];
  const child = spawnLoggedChild({ args: [MAIN, ...args], cwd: REPO_ROOT, logFile: options.logFile });
  const stop = (graceMs = 5_000): Promise<void> => child.stop(graceMs);
  const until = Date.now() + readyDeadlineMs;
  while (child.exitInfo() === undefined && Date.now() < until) {
    const url = URL_LINE.exec(readFileSync(options.logFile).subarray(offset).toString('utf8'))?.[1];
    if (url !== undefined) return { url, pid: child.pid!, exited: child.exited, stop };
    await sleep(50);
  }
  const exitInfo = child.exitInfo();
  const why = exitInfo === undefined ? `no API within ${readyDeadlineMs} ms` : `exited (${exitInfo})`;
  await stop(1_000);
  throw new Error(`fault proxy ${why}; last lines of ${options.logFile}:\n${child.logTail(offset)}`);
}
