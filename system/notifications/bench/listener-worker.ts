// One listener process of `npm run bench:listeners`: holds its share of SSE and Socket.IO
// connections, records end-to-end latency (occurredAt → received) into HDR histograms, and reports
// over IPC. Started by listeners-main.ts only.
import { request, type IncomingMessage } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import { io, type Socket } from 'socket.io-client';
import { notificationTypes } from '../../../contracts/envelope.ts';
import type { ClientToServerEvents, Envelope, ServerToClientEvents } from '../events.ts';
import { routes } from '../../../contracts/http.ts';
import {
  histogramOptions,
  type FromWorker,
  type ListenerWorkerPlan,
  type ToWorker,
  type TransportResult,
} from './bench-protocol.ts';

const plan = JSON.parse(process.env.BENCH_PLAN ?? '{}') as ListenerWorkerPlan;
const send = (message: FromWorker) => process.send?.(message);

interface Tally {
  connected: number;
  delivered: number;
  disconnects: number;
  connectErrors: number;
  histogram: hdr.Histogram;
}
const tally = (): Tally => ({
  connected: 0,
  delivered: 0,
  disconnects: 0,
  connectErrors: 0,
  histogram: hdr.build(histogramOptions),
});
const sse = tally();
const socketio = tally();
let measuring = false;
const loop = monitorEventLoopDelay({ resolution: 10 });
const responses: IncomingMessage[] = [];
const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];

function record(t: Tally, occurredAt: string): void {
  if (!measuring) return;
  t.delivered++;
  t.histogram.recordValue(Math.max(1, Date.now() - Date.parse(occurredAt)));
}

// Only the send timestamp is needed: no full JSON.parse per frame, so the generator stays cheap.
const occurredAtPattern = /"occurredAt":"([^"]+)"/;

function openSse(): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${plan.baseUrl}/api/notifications/stream`, {
      agent: false,
      localAddress: plan.localAddress,
      headers: { accept: 'text/event-stream' },
    });
    req.on('response', (res) => {
      res.setEncoding('utf8');
      responses.push(res);
      let buffer = '';
      let counted = false;
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.includes('event: connected') && !counted) {
            counted = true;
            sse.connected++;
            resolve();
          } else if (frame.startsWith('id: ')) {
            const match = occurredAtPattern.exec(frame);
            if (match?.[1]) record(sse, match[1]);
          }
        }
      });
      res.on('close', () => {
        if (counted) sse.disconnects++;
        resolve();
      });
    });
    req.on('error', () => {
      sse.connectErrors++;
      resolve();
    });
    req.end();
  });
}

function openSocket(): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(plan.baseUrl, {
      path: routes.socketIo,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      localAddress: plan.localAddress,
    } as Parameters<typeof io>[1]);
    sockets.push(socket);
    const onNotification = (envelope: Envelope) => record(socketio, envelope.occurredAt);
    for (const type of notificationTypes) socket.on(type, onNotification);
    socket.once('connected', () => {
      socketio.connected++;
      resolve();
    });
    socket.once('connect_error', () => {
      socketio.connectErrors++;
      resolve();
    });
    socket.on('disconnect', () => socketio.disconnects++);
  });
}

/** Opens `count` connections with at most `concurrency` attempts in flight. */
async function openMany(count: number, open: () => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      await open();
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.connectConcurrency, count) }, lane));
}

const result = (t: Tally): TransportResult => ({
  connected: t.connected,
  delivered: t.delivered,
  disconnects: t.disconnects,
  connectErrors: t.connectErrors,
  histogram: hdr.encodeIntoCompressedBase64(t.histogram),
});

process.on('message', (message: ToWorker) => {
  if (message.kind === 'start-measuring') {
    measuring = true;
    loop.reset();
    loop.enable();
  } else if (message.kind === 'report') {
    loop.disable();
    const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;
    send({
      kind: 'report',
      report: {
        sse: result(sse),
        socketio: result(socketio),
        loopLagMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
      },
    });
  } else {
    for (const res of responses) res.destroy();
    for (const socket of sockets) socket.disconnect();
    setTimeout(() => process.exit(0), 200).unref();
  }
});
process.on('disconnect', () => process.exit(0));

await openMany(plan.sse, openSse);
await openMany(plan.socketio, openSocket);
send({
  kind: 'connected',
  sse: sse.connected,
  socketio: socketio.connected,
  connectErrors: sse.connectErrors + socketio.connectErrors,
});
