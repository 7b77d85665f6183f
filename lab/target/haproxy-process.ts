import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { haproxyConfig, type HaproxyEndpoint } from '../../contracts/haproxy-config.ts';
import { spawnLoggedChild } from './logged-child.ts';
import { TargetError } from './target.ts';

export interface HaproxyProcessOptions {
  listen: HaproxyEndpoint;
  servers: HaproxyEndpoint[];
  /** `haproxy.cfg` and `haproxy.log` (`haproxy-<i>.log` past the first) are written here. */
  logDir: string;
  /**
   * HAProxy processes sharing the listening port (default 1). Each holds two descriptors per
   * connection under the 20,000 per-process limit, so about 9,990 connections; several bind the same
   * port (HAProxy sets SO_REUSEPORT) and the kernel spreads new connections over them.
   */
  instances?: number;
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
  // Absolute: HAProxy runs in the log directory, and a relative path would be read from there.
  const logDir = path.resolve(options.logDir);
  const configFile = path.join(logDir, 'haproxy.cfg');
  writeFileSync(configFile, haproxyConfig({ listen: options.listen, servers: options.servers }));
  const children = Array.from({ length: options.instances ?? 1 }, (_, i) =>
    spawnLoggedChild({
      command: 'haproxy',
      args: ['-f', configFile, '-db'],
      cwd: logDir,
      logFile: path.join(logDir, i === 0 ? 'haproxy.log' : `haproxy-${i + 1}.log`),
    }),
  );
  const child = children[0] as (typeof children)[number];
  const url = `http://${options.listen.host}:${options.listen.port}`;
  const hint =
    'NOTIFICATIONS_PROCESSES above 1 runs HAProxy in front: read its log above (`npm run infra` installs HAProxy, Debian package haproxy, when it is missing)';
  return {
    url,
    pid: child.pid,
    async waitReady(deadlineMs) {
      const until = Date.now() + deadlineMs;
      while (Date.now() < until) {
        for (const [i, instance] of children.entries()) {
          const exitInfo = instance.exitInfo();
          if (exitInfo === undefined) continue;
          const log = path.join(logDir, i === 0 ? 'haproxy.log' : `haproxy-${i + 1}.log`);
          throw new TargetError(
            `haproxy exited (${exitInfo}); last lines of ${log}:\n${instance.logTail()}`,
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
    stop: async () => void (await Promise.all(children.map((c) => c.stop(5_000)))),
  };
}
