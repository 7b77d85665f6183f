import { setTimeout as sleep } from 'node:timers/promises';
import { serviceNodeFlags } from '../../contracts/service-runtime.ts';
import { spawnLoggedChild } from './logged-child.ts';
import { compiledEntry } from './service-build.ts';
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
 * `LAB_NODE_ARGS`: node flags for every service the lab starts, for flags NODE_OPTIONS refuses
 * (`--cpu-prof --cpu-prof-dir=reports/profiles` profiles each service until it stops).
 */
function labNodeArgs(): string[] {
  return (process.env.LAB_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Spawns the compiled service, `node dist/system/<name>/main.js` (see service-build.ts), with an
 * IPC channel: the services' shutdown helper exits when that channel closes, so a lab killed even
 * by SIGKILL leaves no service behind.
 */
export function startServiceProcess(options: ServiceProcessOptions): ServiceProcess {
  const child = spawnLoggedChild({
    args: [...serviceNodeFlags[options.name], ...labNodeArgs(), compiledEntry(options.name)],
    typescript: false,
    cwd: options.repoRoot,
    env: options.env,
    logFile: options.logFile,
  });
  const logTail = () => child.logTail();

  return {
    name: options.name,
    pid: child.pid,
    async waitReady(deadlineMs) {
      const until = Date.now() + deadlineMs;
      let last = 'no answer yet';
      while (Date.now() < until) {
        const exitInfo = child.exitInfo();
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
    stop: (graceMs = 10_000) => child.stop(graceMs),
  };
}
