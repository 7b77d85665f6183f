import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TargetError, type ServiceName } from './target.ts';

export interface ServiceProcessOptions {
  name: ServiceName;
  repoRoot: string;
  /** Full environment of the child. */
  env: NodeJS.ProcessEnv;
  /** The service's stdout and stderr are appended here. */
  logFile: string;
  /** Base URL of its HTTP port (health, metrics). */
  baseUrl: string;
}

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly pid: number | undefined;
  /** Resolves when `/health/ready` answers 200; throws TargetError on exit or deadline. */
  waitReady(deadlineMs: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node --import tsx system/<name>/main.ts` with an IPC channel: the services' shutdown
 * helper exits when that channel closes, so a lab killed even by SIGKILL leaves no service behind.
 */
export function startServiceProcess(options: ServiceProcessOptions): ServiceProcess {
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, ['--import', 'tsx', `system/${options.name}/main.ts`], {
      cwd: options.repoRoot,
      env: options.env,
      stdio: ['ignore', fd, fd, 'ipc'],
    });
  } finally {
    closeSync(fd);
  }
  // The IPC channel must not keep the lab's event loop alive.
  child.unref();
  child.channel?.unref();
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
    child.once('error', (error) => {
      exitInfo = error.message;
      resolve();
    });
  });
  let stopping: Promise<void> | undefined;

  const logTail = (): string => {
    try {
      return readFileSync(options.logFile, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  };

  return {
    name: options.name,
    pid: child.pid,
    async waitReady(deadlineMs) {
      const until = Date.now() + deadlineMs;
      let last = 'no answer yet';
      while (Date.now() < until) {
        if (exitInfo !== undefined) {
          throw new TargetError(
            `${options.name} exited during start-up (${exitInfo}); last lines of ${options.logFile}:\n${logTail()}`,
            `fix the error above; \`npm run start:${options.name}\` runs it alone`,
          );
        }
        try {
          const response = await fetch(`${options.baseUrl}/health/ready`, {
            signal: AbortSignal.timeout(2000),
          });
          if (response.ok) return;
          last = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
        } catch (error) {
          last = (error as Error).message;
        }
        await sleep(200);
      }
      throw new TargetError(
        `${options.name} was not ready within ${deadlineMs} ms (${options.baseUrl}/health/ready: ${last}); ` +
          `last lines of ${options.logFile}:\n${logTail()}`,
        'check that PostgreSQL, RabbitMQ and Redis are up (`npm run infra`) and read the service log',
      );
    },
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        if (exitInfo !== undefined) return;
        child.kill('SIGTERM');
        const timer = sleep(graceMs).then(() => 'timeout' as const);
        if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
          child.kill('SIGKILL');
          await exited;
        }
      })();
      return stopping;
    },
  };
}
