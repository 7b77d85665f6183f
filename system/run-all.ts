// `npm run system` (sources, through tsx) and `npm start` (compiled, in dist/): the three services
// in the foreground, one prefixed output. Ctrl-C (or any service exiting) stops all of them;
// nothing is left running. With NOTIFICATIONS_PROCESSES=N above 1, N notifications processes
// listen on NOTIFICATIONS_FIRST_PROCESS_PORT onwards and HAProxy, in the foreground too, serves
// them on the notifications PORT.
import { spawn, type ChildProcess } from 'node:child_process';
import { serviceNodeFlags, type ServiceWithFlags } from '../contracts/service-runtime.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadNotificationsConfig } from './notifications/config.ts';
import { haproxyConfig } from '../contracts/haproxy-config.ts';

interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

const stopTimeoutMs = 15_000;
const children = new Map<string, ChildProcess>();
let stopping = false;

// Compiled, this file is dist/system/run-all.js and starts the compiled mains beside it.
const here = path.dirname(fileURLToPath(import.meta.url));
const compiled = import.meta.url.endsWith('.js');
const service = (
  name: ServiceWithFlags,
  env: NodeJS.ProcessEnv = process.env,
  label: string = name,
): ChildSpec => ({
  name: label,
  command: process.execPath,
  args: [
    ...serviceNodeFlags[name],
    ...(compiled
      ? [path.join(here, name, 'main.js')]
      : ['--import', 'tsx', path.join(here, name, 'main.ts')]),
  ],
  env,
});

function notificationsSpecs(): ChildSpec[] {
  const config = loadNotificationsConfig(process.env);
  const count = config.NOTIFICATIONS_PROCESSES;
  if (count === 1) return [service('notifications')];
  const ports = Array.from({ length: count }, (_, i) => config.NOTIFICATIONS_FIRST_PROCESS_PORT + i);
  const processes = ports.map((port, i) =>
    service('notifications', { ...process.env, PORT: String(port) }, `notifications-${i + 1}`),
  );
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'event-lab-haproxy-')), 'haproxy.cfg');
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  writeFileSync(
    file,
    haproxyConfig({
      listen: { host: config.HOST, port: config.PORT },
      servers: ports.map((port) => ({ host, port })),
    }),
  );
  return [...processes, { name: 'haproxy', command: 'haproxy', args: ['-f', file, '-db'], env: process.env }];
}

for (const spec of [service('api'), service('worker'), ...notificationsSpecs()]) {
  const { name } = spec;
  const child = spawn(spec.command, spec.args, {
    stdio: ['ignore', 'pipe', 'pipe', ...(spec.command === process.execPath ? ['ipc' as const] : [])],
    env: spec.env,
  });
  children.set(name, child);
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  child.on('error', (error) => {
    const hint = spec.command === 'haproxy' ? ' (`npm run infra` installs it)' : '';
    process.stdout.write(`[system] ${name} could not start: ${error.message}${hint}\n`);
    children.delete(name);
    if (!stopping) stopAll(`${name} could not start`, 1);
  });
  child.on('exit', (code, signal) => {
    children.delete(name);
    process.stdout.write(`[system] ${name} exited (${signal ?? code})\n`);
    if (!stopping) stopAll(`${name} exited`, 1);
    else if (children.size === 0) process.exit(process.exitCode ?? 0);
  });
}

function stopAll(reason: string, exitCode: number): void {
  if (stopping) return;
  stopping = true;
  process.exitCode = exitCode;
  process.stdout.write(`[system] stopping all services: ${reason}\n`);
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(exitCode);
  }, stopTimeoutMs).unref();
  if (children.size === 0) process.exit(exitCode);
}

process.on('SIGINT', () => stopAll('SIGINT', 0));
process.on('SIGTERM', () => stopAll('SIGTERM', 0));
