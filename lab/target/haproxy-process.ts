import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { haproxyConfig, type HaproxyEndpoint } from '../../contracts/haproxy-config.ts';
import { spawnLoggedChild } from './logged-child.ts';
import { TargetError } from './target.ts';

export interface HaproxyProcessOptions {
  listen: HaproxyEndpoint;
  servers: HaproxyEndpoint[];
  /** `haproxy.cfg` and `haproxy.log` are written here. */
  logDir: string;
}

export interface HaproxyProcess {
  readonly url: string;
  readonly pid: number | undefined;
  /** Resolves once `/health/ready` answers 200 through HAProxy; throws TargetError on exit or deadline. */
  waitReady(deadlineMs: number): Promise<void>;
  /** Idempotent. */
  stop(): Promise<void>;
}

/** HAProxy in the foreground (`-db`) in front of several notifications processes. */
export function startHaproxyProcess(options: HaproxyProcessOptions): HaproxyProcess {
  const configFile = path.join(options.logDir, 'haproxy.cfg');
  const logFile = path.join(options.logDir, 'haproxy.log');
  writeFileSync(configFile, haproxyConfig({ listen: options.listen, servers: options.servers }));
  const child = spawnLoggedChild({
    command: 'haproxy',
    args: ['-f', configFile, '-db'],
    cwd: options.logDir,
    logFile,
  });
  const url = `http://${options.listen.host}:${options.listen.port}`;
  const hint =
    'NOTIFICATIONS_PROCESSES above 1 needs HAProxy: `npm run infra` installs it (Debian package haproxy)';
  return {
    url,
    pid: child.pid,
    async waitReady(deadlineMs) {
      const until = Date.now() + deadlineMs;
      while (Date.now() < until) {
        const exitInfo = child.exitInfo();
        if (exitInfo !== undefined) {
          throw new TargetError(
            `haproxy exited (${exitInfo}); last lines of ${logFile}:\n${child.logTail()}`,
            hint,
          );
        }
        const ready = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) return;
        await sleep(200);
      }
      throw new TargetError(`haproxy at ${url} did not pass /health/ready within ${deadlineMs} ms`, hint);
    },
    stop: () => child.stop(5_000),
  };
}
