// The fan-out floor's listeners (a child of fanout-floor.ts): plain TCP sockets that count bytes
// and read each record's send time; nothing else runs per receipt.
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { epochUs } from '../../contracts/clock.ts';
import { createLatencyHistogram } from '../metrics/latency-histogram.ts';
import {
  RECORD_BYTES,
  intendedUsOf,
  type ListenerCommand,
  type ListenerReply,
} from './fanout-floor-protocol.ts';

const send = (reply: ListenerReply): void => void process.send?.(reply);
// The same histograms as the listener fleet's, merged by the parent the same way.
const latency = createLatencyHistogram();
const sockets: Socket[] = [];
const lag = monitorEventLoopDelay({ resolution: 10 });
let cpuAtStart = process.cpuUsage();

function listen(socket: Socket): void {
  // A record may arrive split across reads: keep the partial one until it is whole.
  let partial: Buffer | undefined;
  socket.on('data', (chunk: Buffer) => {
    const now = epochUs();
    const data = partial ? Buffer.concat([partial, chunk]) : chunk;
    let at = 0;
    for (; at + RECORD_BYTES <= data.length; at += RECORD_BYTES) latency.record(now - intendedUsOf(data, at));
    partial = at < data.length ? data.subarray(at) : undefined;
  });
}

async function connectAll(ports: number[], count: number, localAddress: string): Promise<void> {
  let connected = 0;
  let failed = 0;
  // A few hundred at a time: the server's accept queue is not the thing measured.
  for (let begun = 0; begun < count;) {
    const wave = Math.min(200, count - begun);
    await Promise.all(
      Array.from({ length: wave }, (_, k) => {
        const port = ports[(begun + k) % ports.length] as number;
        return new Promise<void>((resolve) => {
          const socket = connect({ port, host: '127.0.0.1', localAddress, noDelay: true });
          socket.once('connect', () => {
            connected++;
            sockets.push(socket);
            listen(socket);
            resolve();
          });
          socket.once('error', () => {
            failed++;
            resolve();
          });
        });
      }),
    );
    begun += wave;
  }
  lag.enable();
  cpuAtStart = process.cpuUsage();
  send({ kind: 'connected', count: connected, failed });
}

process.on('message', (command: ListenerCommand) => {
  if (command.kind === 'connect') void connectAll(command.ports, command.count, command.localAddress);
  else {
    const cpu = process.cpuUsage(cpuAtStart);
    send({
      kind: 'report',
      latency: latency.encode(),
      cpuUs: cpu.user + cpu.system,
      lagP99Ms: lag.percentile(99) / 1e6,
      lagMaxMs: lag.max / 1e6,
    });
  }
});
process.on('disconnect', () => {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
});
