// Child process of a listener fleet (forked by listener-fleet.ts): holds real `eventsource` and
// `socket.io-client` connections, records the receipt time of every notification per listener and
// answers the parent over IPC. Exits when the parent goes away.
import { EventSource } from 'eventsource';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import { nowUs } from '../metrics/clock.ts';
import { labLatencyBucketsSec } from '../exporter/lab-metrics.ts';
import { createLatencyBatcher, intendedSendUsOf, type LatencyBatch } from './live-latency.ts';
import {
  analyzeDelivery,
  type ExpectedNotification,
  type ListenerReceipts,
} from '../metrics/delivery-tracker.ts';
import { createEventLoopMonitor } from '../metrics/event-loop-monitor.ts';
import {
  notificationTypes,
  receiptKey,
  transports,
  type AnalysisMessage,
  type AnalyzeMessage,
  type ParentMessage,
  type StartMessage,
  type Transport,
  type TransportCounters,
  type WorkerMessage,
} from './listener-protocol.ts';

interface Listener {
  id: string;
  transport: Transport;
  keys: string[];
  atUs: number[];
  opens: number;
  close(): void;
}

const listeners: Listener[] = [];
const emptyCounters = (): TransportCounters => ({
  connected: 0,
  connects: 0,
  reconnects: 0,
  recovered: 0,
  disconnects: 0,
  errors: 0,
  receipts: 0,
});
const counters: Record<Transport, TransportCounters> = { sse: emptyCounters(), socketio: emptyCounters() };
const monitor = createEventLoopMonitor({ intervalMs: 1000 });
let rampDone = false;
// The same message reaches every listener of this process: parse its envelope once.
const keyByMessageId = new Map<string, string>();

const send = (message: WorkerMessage): void => {
  if (process.connected) process.send?.(message);
};

const liveLatency = {
  sse: createLatencyBatcher(labLatencyBucketsSec),
  socketio: createLatencyBatcher(labLatencyBucketsSec),
};

function drainLiveLatency(): Partial<Record<Transport, LatencyBatch>> {
  const batches: Partial<Record<Transport, LatencyBatch>> = {};
  for (const transport of transports) {
    const batch = liveLatency[transport].drain();
    if (batch) batches[transport] = batch;
  }
  return batches;
}

function record(listener: Listener, key: string): void {
  const atUs = nowUs();
  listener.keys.push(key);
  listener.atUs.push(atUs);
  const intendedUs = intendedSendUsOf(key.slice(key.indexOf(':') + 1));
  if (intendedUs !== undefined) liveLatency[listener.transport].add((atUs - intendedUs) / 1e6);
  counters[listener.transport].receipts += 1;
}

function opened(listener: Listener): void {
  const c = counters[listener.transport];
  listener.opens += 1;
  c.connects += 1;
  c.connected += 1;
  if (listener.opens > 1) c.reconnects += 1;
}

function openSse(start: StartMessage, n: number): Listener {
  const listener: Listener = {
    id: `${start.idPrefix}-sse-${n}`,
    transport: 'sse',
    keys: [],
    atUs: [],
    opens: 0,
    close: () => undefined,
  };
  const source = new EventSource(new URL(start.ssePath, start.baseUrl));
  let open = false;
  source.onopen = () => {
    open = true;
    opened(listener);
  };
  source.onerror = () => {
    counters.sse.errors += 1;
    if (open) {
      open = false;
      counters.sse.connected -= 1;
      counters.sse.disconnects += 1;
    }
  };
  const onEvent = (event: MessageEvent<string>): void => {
    let key = keyByMessageId.get(event.lastEventId);
    if (key === undefined) {
      const envelope = JSON.parse(event.data) as { type: string; correlationId: string };
      key = receiptKey(envelope.type, envelope.correlationId);
      if (event.lastEventId) keyByMessageId.set(event.lastEventId, key);
    }
    record(listener, key);
  };
  for (const type of notificationTypes) source.addEventListener(type, onEvent);
  listener.close = () => source.close();
  return listener;
}

function openSocket(start: StartMessage, n: number): Listener {
  const listener: Listener = {
    id: `${start.idPrefix}-socketio-${n}`,
    transport: 'socketio',
    keys: [],
    atUs: [],
    opens: 0,
    close: () => undefined,
  };
  const socket: Socket = io(start.baseUrl, {
    path: start.socketPath,
    transports: ['websocket'],
    // One connection per listener: without forceNew every socket would share one Manager.
    forceNew: true,
    reconnectionDelayMax: 5000,
    ...(start.localAddress ? { localAddress: start.localAddress } : {}),
  });
  socket.on('connect', () => {
    opened(listener);
    if (socket.recovered) counters.socketio.recovered += 1;
  });
  socket.on('disconnect', () => {
    counters.socketio.connected -= 1;
    counters.socketio.disconnects += 1;
  });
  socket.on('connect_error', () => (counters.socketio.errors += 1));
  socket.onAny((event: string, envelope: { correlationId?: string } | undefined) => {
    if (event === 'connected' || !envelope?.correlationId) return;
    record(listener, receiptKey(event, envelope.correlationId));
  });
  listener.close = () => socket.disconnect();
  return listener;
}

async function startFleet(start: StartMessage): Promise<void> {
  monitor.start();
  const statusTimer = setInterval(() => {
    const health = monitor.generatorHealth();
    send({
      type: 'status',
      counters,
      rampDone,
      lagP99Ms: health.lagP99Ms,
      cpuPercent: monitor.samples().at(-1)?.cpuPercent ?? 0,
      latency: drainLiveLatency(),
    });
  }, 1000);
  statusTimer.unref();
  const plan: Transport[] = [];
  // Interleave the transports so a ramp is fair to both.
  for (let i = 0; i < Math.max(start.sse, start.socketio); i++) {
    if (i < start.sse) plan.push('sse');
    if (i < start.socketio) plan.push('socketio');
  }
  const batch = Math.max(1, Math.round(start.connectRatePerSec / 20));
  let sseN = 0;
  let socketN = 0;
  for (let i = 0; i < plan.length; i += batch) {
    for (const transport of plan.slice(i, i + batch)) {
      listeners.push(transport === 'sse' ? openSse(start, sseN++) : openSocket(start, socketN++));
    }
    await sleep(50);
  }
  rampDone = true;
}

function analyze(message: AnalyzeMessage): AnalysisMessage {
  const expected: ExpectedNotification[] = message.expected.map(([id, sentAtUs]) => ({ id, sentAtUs }));
  const lastReceiptUs: Record<string, number> = {};
  for (const listener of listeners) {
    listener.keys.forEach((key, i) => {
      const at = listener.atUs[i] ?? 0;
      if ((lastReceiptUs[key] ?? 0) < at) lastReceiptUs[key] = at;
    });
  }
  const byTransport = {} as AnalysisMessage['byTransport'];
  for (const transport of transports) {
    const own: ListenerReceipts[] = listeners
      .filter((l) => l.transport === transport)
      .map((l) => ({
        listenerId: l.id,
        receipts: l.keys.map((id, i) => ({ id, receivedAtUs: l.atUs[i] ?? 0 })),
      }));
    const report = analyzeDelivery(expected, own);
    byTransport[transport] = {
      totals: report.totals,
      latency: report.latency.encode(),
      worst: report.listeners.filter((l) => l.missing > 0 || l.duplicated > 0).slice(0, 10),
    };
  }
  return { type: 'analysis', byTransport, lastReceiptUs };
}

function stop(): void {
  for (const listener of listeners) listener.close();
  monitor.stop();
  process.exit(0);
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') {
    startFleet(message).catch((error: unknown) => send({ type: 'fatal', message: String(error) }));
  } else if (message.type === 'analyze') {
    send(analyze(message));
  } else {
    stop();
  }
});
process.on('disconnect', () => process.exit(0));
