import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

/** Test-only: a service of the system running as a child process. */
export interface SystemProcess {
  baseUrl: string;
  stop(): Promise<void>;
}

/** Starts `system/<name>/main.ts` on a free port and waits for `/health/ready` (or throws with its log). */
export async function startSystemProcess(
  name: 'api' | 'worker' | 'notifications',
  env: Record<string, string> = {},
  readyTimeoutMs = 60_000,
): Promise<SystemProcess> {
  const port = await freePort();
  const logFile = join(tmpdir(), `notifications-e2e-${name}-${port}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', `system/${name}/main.ts`], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  closeSync(fd);
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    });
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { baseUrl, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(
    `${name} not ready within ${readyTimeoutMs} ms; log ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`,
  );
}
