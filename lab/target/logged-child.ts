import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoggedChildOptions {
  /** Arguments after `node --import tsx` (or after `node` with `typescript: false`, or after `command`). */
  args: string[];
  /**
   * A program other than node (HAProxy): run as it is, without the IPC channel, so it outlives a
   * lab killed by SIGKILL; a normal stop or exit of the lab stops it.
   */
  command?: string;
  /** Run through the tsx loader (default), or plain node for compiled JavaScript. */
  typescript?: boolean;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
}

export interface LoggedChild {
  readonly pid: number | undefined;
  /** Resolves with how the process ended (`code 0`, `signal SIGTERM`, or the spawn error). */
  readonly exited: Promise<string>;
  /** How it ended, once it has; undefined while it runs. */
  exitInfo(): string | undefined;
  /** The last lines of its log, from byte `from` on (default: the whole file). */
  logTail(from?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. Idempotent. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Spawns `node --import tsx <args>` with its output appended to a log file and an IPC channel:
 * the lab's children exit when that channel closes, so a lab that dies, even by SIGKILL, leaves
 * nothing behind. Neither the process nor its channel keeps the lab's event loop alive.
 */
export function spawnLoggedChild(options: LoggedChildOptions): LoggedChild {
  const fd = openSync(options.logFile, 'a');
  let child;
  try {
    const loader = options.typescript === false || options.command ? [] : ['--import', 'tsx'];
    child = spawn(options.command ?? process.execPath, [...loader, ...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: options.command ? ['ignore', fd, fd] : ['ignore', fd, fd, 'ipc'],
    });
  } finally {
    closeSync(fd);
  }
  child.unref();
  child.channel?.unref();
  let exitInfo: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve((exitInfo = signal ? `signal ${signal}` : `code ${code}`)));
    child.once('error', (error) => resolve((exitInfo = error.message)));
  });
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid,
    exited,
    exitInfo: () => exitInfo,
    logTail(from = 0) {
      try {
        const text = readFileSync(options.logFile).subarray(from).toString('utf8');
        return text.split('\n').slice(-15).join('\n');
      } catch {
        return '(no log)';
      }
    },
    stop: (graceMs) =>
      (stopping ??= (async () => {
        if (exitInfo !== undefined) return;
        child.kill('SIGTERM');
        const timer = sleep(graceMs).then(() => 'timeout' as const);
        if ((await Promise.race([exited, timer])) === 'timeout') {
          child.kill('SIGKILL');
          await exited;
        }
      })()),
  };
}
