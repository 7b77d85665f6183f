// `npm run system` (sources, through tsx) and `npm start` (compiled, in dist/): the three services
// in the foreground, one prefixed output. Ctrl-C (or any service exiting) stops all of them;
// nothing is left running.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const services = ['api', 'worker', 'notifications'] as const;
const stopTimeoutMs = 15_000;
const children = new Map<string, ChildProcess>();
let stopping = false;

// Compiled, this file is dist/system/run-all.js and starts the compiled mains beside it.
const here = path.dirname(fileURLToPath(import.meta.url));
const compiled = import.meta.url.endsWith('.js');
const argsFor = (name: string): string[] =>
  compiled ? [path.join(here, name, 'main.js')] : ['--import', 'tsx', path.join(here, name, 'main.ts')];

for (const name of services) {
  const child = spawn(process.execPath, argsFor(name), {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: process.env,
  });
  children.set(name, child);
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
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
