// `npm run bench:floor [-- --listeners 10000 --rate 1 --duration 30 --workers 4 --servers 1]`: the fan-out
// floor of this machine. A plain TCP server writes one 320-byte record per notification to every
// listener, plain TCP listeners in other processes read it, and nothing else runs: no HTTP, no
// framing, no broker, no Redis. Its latency (intended send → receipt) is the least any
// notifications server can reach here with its listeners on the same box; bench:listeners is
// read against it. Writes reports/bench/fanout-floor.json.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { epochUs } from '../../contracts/clock.ts';
import { quantileSorted } from '../compare/compare-statistics.ts';
import { mergeEncodedHistograms } from '../metrics/latency-histogram.ts';
import type { ListenerReply, ServerReply } from './fanout-floor-protocol.ts';
import { RECORD_BYTES } from './fanout-floor-protocol.ts';
import { parseFloorArgs, type FloorArgs } from './fanout-floor-args.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (text: string): void => void process.stdout.write(`[floor] ${text}\n`);

function child(file: string): ChildProcess {
  const process = fork(path.join(here, file), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // A send to a process that has died is reported here, not thrown: its missing answer ends the run.
  process.on('error', (error) => log(`a floor process failed: ${error.message}`));
  return process;
}

function nextMessage<T>(process: ChildProcess, kind: string): Promise<T> {
  return new Promise((resolve, reject) => {
    if (process.exitCode !== null || process.signalCode !== null)
      return reject(new Error(`a floor process had exited before "${kind}"`));
    const onMessage = (message: { kind: string }) => {
      if (message.kind !== kind) return;
      process.off('message', onMessage);
      resolve(message as T);
    };
    process.on('message', onMessage);
    process.once('exit', (code) => reject(new Error(`a floor process exited (${code}) before "${kind}"`)));
  });
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  let args: FloorArgs;
  try {
    args = parseFloorArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench:floor: ${(error as Error).message}\n`);
    process.exit(2);
  }
  log(
    `listeners=${args.listeners} rate=${args.ratePerSec}/s duration=${args.durationSec}s workers=${args.workers} servers=${args.servers}`,
  );
  const servers = Array.from({ length: args.servers }, () => child('fanout-floor-server.ts'));
  const listeners = Array.from({ length: args.workers }, () => child('fanout-floor-listener.ts'));
  try {
    const ports = (
      await Promise.all(
        servers.map((server) =>
          nextMessage<Extract<ServerReply, { kind: 'listening' }>>(server, 'listening'),
        ),
      )
    ).map((reply) => reply.port);
    const connectedAt = performance.now();
    const connected = await Promise.all(
      listeners.map((listener, i) => {
        const count =
          Math.floor(((i + 1) * args.listeners) / args.workers) -
          Math.floor((i * args.listeners) / args.workers);
        const reply = nextMessage<Extract<ListenerReply, { kind: 'connected' }>>(listener, 'connected');
        listener.send({ kind: 'connect', ports, count, localAddress: `127.0.0.${2 + i}` });
        return reply;
      }),
    );
    const total = connected.reduce((sum, c) => sum + c.count, 0);
    const failed = connected.reduce((sum, c) => sum + c.failed, 0);
    log(
      `${total} listeners connected in ${((performance.now() - connectedAt) / 1000).toFixed(1)} s (${failed} failed)`,
    );
    await sleep(2000);

    // Sends at a fixed rate, each stamped with the time it was meant to go, not when it went.
    const intervalMs = 1000 / args.ratePerSec;
    const count = Math.max(1, Math.round(args.durationSec * args.ratePerSec));
    const startUs = epochUs() + 200_000;
    for (let i = 0; i < count; i++) {
      const intendedUs = startUs + i * intervalMs * 1000;
      const waitMs = (intendedUs - epochUs()) / 1000;
      if (waitMs > 0) await sleep(waitMs);
      for (const server of servers) server.send({ kind: 'send', intendedUs });
      if ((i + 1) % Math.max(1, Math.round(args.ratePerSec * 5)) === 0) log(`sent ${i + 1}/${count}`);
    }
    await sleep(3000);

    const serverReports = Promise.all(
      servers.map((server) => {
        const reply = nextMessage<Extract<ServerReply, { kind: 'report' }>>(server, 'report');
        server.send({ kind: 'report' });
        return reply;
      }),
    );
    const listenerReports = await Promise.all(
      listeners.map((listener) => {
        const reply = nextMessage<Extract<ListenerReply, { kind: 'report' }>>(listener, 'report');
        listener.send({ kind: 'report' });
        return reply;
      }),
    );
    const serverReplies = await serverReports;
    const s = {
      sends: Math.min(...serverReplies.map((r) => r.sends)),
      writes: serverReplies.reduce((sum, r) => sum + r.writes, 0),
      userUs: serverReplies.reduce((sum, r) => sum + r.userUs, 0),
      systemUs: serverReplies.reduce((sum, r) => sum + r.systemUs, 0),
      loopMs: serverReplies.flatMap((r) => r.loopMs),
    };
    const latency = mergeEncodedHistograms(listenerReports.map((r) => r.latency)).summary();
    const received = latency.count;
    const loops = [...s.loopMs].sort((a, b) => a - b);
    const windowUs = args.durationSec * 1e6 + 5e6;
    const listenerCpuUs = listenerReports.reduce((sum, r) => sum + r.cpuUs, 0);
    const worstLagP99 = Math.max(...listenerReports.map((r) => r.lagP99Ms));
    const report = {
      bench: 'fanout-floor',
      at: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      listeners: total,
      connectFailures: failed,
      ratePerSec: args.ratePerSec,
      durationSec: args.durationSec,
      workers: args.workers,
      servers: args.servers,
      recordBytes: RECORD_BYTES,
      delivered: received,
      expected: total * s.sends,
      latencyMs: { p50: latency.p50Ms, p99: latency.p99Ms, max: latency.maxMs },
      serverLoopMs: {
        p50: round(loops.length > 0 ? quantileSorted(loops, 0.5) : Number.NaN),
        max: round(loops.at(-1) ?? Number.NaN),
      },
      serverCpuUsPerDelivery: round((s.userUs + s.systemUs) / Math.max(1, s.writes)),
      /** Of which in the kernel: the write system calls and, on loopback, the receiving side's TCP work. */
      serverKernelShare: round(s.systemUs / Math.max(1, s.userUs + s.systemUs), 3),
      listenerCpuUsPerReceipt: round(listenerCpuUs / Math.max(1, received)),
      listenerCpuShareOfMachine: round(listenerCpuUs / windowUs / cpus().length, 3),
      listenerLagMs: {
        p99Worst: round(worstLagP99),
        maxWorst: round(Math.max(...listenerReports.map((r) => r.lagMaxMs))),
      },
    };
    process.stdout.write(
      [
        `delivered ${report.delivered}/${report.expected}`,
        `latency (intended send → receipt): p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms`,
        `server write loop per notification: p50 ${report.serverLoopMs.p50} ms, max ${report.serverLoopMs.max} ms`,
        `server CPU per delivery ${report.serverCpuUsPerDelivery} µs (${Math.round(report.serverKernelShare * 100)}% in the kernel); listener CPU per receipt ${report.listenerCpuUsPerReceipt} µs (${Math.round(report.listenerCpuShareOfMachine * 100)}% of ${report.cpus} cores)`,
        `listener loop lag: worst p99 ${report.listenerLagMs.p99Worst} ms, max ${report.listenerLagMs.maxWorst} ms`,
      ].join('\n') + '\n',
    );
    await mkdir(path.dirname(args.out), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
    log(`written ${args.out}`);
  } finally {
    for (const p of [...servers, ...listeners]) if (p.connected) p.disconnect();
    await Promise.all(
      [...servers, ...listeners].map((p) => (p.exitCode === null ? once(p, 'exit') : Promise.resolve())),
    );
  }
}

await main();
