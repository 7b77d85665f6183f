// Child process of a listener fleet (forked by listener-fleet.ts): holds real SSE and Socket.IO
// connections, most of them lean clients and a share of them the real libraries, keeps every listener's raw receipts and answers the parent over IPC: live latency
// and health in a status every second, the receipt join when asked. Exits when the parent goes away.
import { setTimeout as sleep } from 'node:timers/promises';
import { labLatencyBucketsSec } from '../exporter/lab-metrics.ts';
import { createEventLoopMonitor } from '../metrics/event-loop-monitor.ts';
import type { NotificationReceipt } from '../measure/correlation.ts';
import { createLiveLatencyJoin } from '../measure/live-latency-join.ts';
import { joinReceipts } from '../measure/receipt-join.ts';
import { breakdownOf, createJourneyBreakdown } from '../measure/journey-stages.ts';
import { openEventSourceListener } from './eventsource-listener.ts';
import { openLeanSocketIoListener } from './lean-socketio-listener.ts';
import {
  createCorrelationCache,
  openSocketListener,
  openSseListener,
  type ListenerConnection,
  type ListenerEvents,
} from './listener-connections.ts';
import { createSocketIoEventCache } from './socketio-event-reader.ts';
import { createLatencyBatcher, type LatencyBatch } from './live-latency.ts';
import {
  STATUS_INTERVAL_MS,
  clientKinds,
  emptyCounters,
  transports,
  type AnalysisMessage,
  type AnalyzeMessage,
  type ClientKind,
  type ParentMessage,
  type StartMessage,
  type Transport,
  type TransportCounters,
  type WorkerMessage,
} from './listener-protocol.ts';

interface Listener {
  id: string;
  /** Its number among this process's listeners of its transport. */
  n: number;
  transport: Transport;
  client: ClientKind;
  receipts: NotificationReceipt[];
  opens: number;
  connection?: ListenerConnection;
}

const listeners: Listener[] = [];
const counters: Record<Transport, TransportCounters> = { sse: emptyCounters(), socketio: emptyCounters() };
const countersByClient: Record<Transport, Record<ClientKind, TransportCounters>> = {
  sse: { lean: emptyCounters(), library: emptyCounters() },
  socketio: { lean: emptyCounters(), library: emptyCounters() },
};
const monitor = createEventLoopMonitor({ intervalMs: STATUS_INTERVAL_MS });
let rampDone = false;
let samplesSent = 0;
const correlationOf = createCorrelationCache();
const readSocketIoEvent = createSocketIoEventCache();

const send = (message: WorkerMessage): void => {
  if (process.connected) process.send?.(message);
};

const liveLatency = {
  sse: createLatencyBatcher(labLatencyBucketsSec),
  socketio: createLatencyBatcher(labLatencyBucketsSec),
};
const live = createLiveLatencyJoin<Transport>({
  onLatency: (transport, latencyUs) => liveLatency[transport].add(latencyUs / 1e6),
});

function drainLiveLatency(): Partial<Record<Transport, LatencyBatch>> {
  const batches: Partial<Record<Transport, LatencyBatch>> = {};
  for (const transport of transports) {
    const batch = liveLatency[transport].drain();
    if (batch) batches[transport] = batch;
  }
  return batches;
}

function eventsOf(listener: Listener): ListenerEvents {
  // Each event counts twice: in the transport's totals and in its client kind's.
  const both = [counters[listener.transport], countersByClient[listener.transport][listener.client]];
  return {
    opened({ recovered }) {
      listener.opens += 1;
      for (const c of both) {
        c.connects += 1;
        c.connected += 1;
        if (listener.opens > 1) c.reconnects += 1;
        if (recovered) c.recovered += 1;
      }
    },
    lost() {
      for (const c of both) {
        c.connected -= 1;
        c.disconnects += 1;
      }
    },
    failed() {
      for (const c of both) c.errors += 1;
    },
    notification(type, correlationId, receivedAtUs) {
      listener.receipts.push({ type, correlationId, receivedAtUs });
      live.receipt(listener.transport, correlationId, receivedAtUs);
      for (const c of both) c.receipts += 1;
    },
  };
}

function connect(start: StartMessage, listener: Listener): ListenerConnection {
  const events = eventsOf(listener);
  const baseUrl = start.baseUrls[listener.n % start.baseUrls.length] as string;
  const url = new URL(start.ssePath, baseUrl);
  const { socketPath: path } = start;
  if (listener.client === 'library') {
    // Library clients leave from the default source address (see StartMessage.localAddress).
    return listener.transport === 'sse'
      ? openEventSourceListener({ url, events, correlationOf })
      : openSocketListener({ baseUrl, path, events });
  }
  const localAddress = start.localAddress ? { localAddress: start.localAddress } : {};
  return listener.transport === 'sse'
    ? openSseListener({ url, events, correlationOf, ...localAddress })
    : openLeanSocketIoListener({ baseUrl, path, events, readEvent: readSocketIoEvent, ...localAddress });
}

function open(start: StartMessage, transport: Transport, client: ClientKind, n: number): Listener {
  const id = `${start.idPrefix}-${transport}-${n}`;
  const listener: Listener = { id, n, transport, client, receipts: [], opens: 0 };
  listener.connection = connect(start, listener);
  return listener;
}

/**
 * Whether the `n`th listener of a transport (of `count`) runs the library client: `library` of them,
 * spread evenly over the ramp, so both kinds connect under the same conditions.
 */
function clientOf(n: number, count: number, library: number): ClientKind {
  return Math.floor(((n + 1) * library) / count) > Math.floor((n * library) / count) ? 'library' : 'lean';
}

function sendStatus(): void {
  const all = monitor.samples();
  send({
    type: 'status',
    counters,
    countersByClient,
    rampDone,
    lagP99Ms: monitor.generatorHealth().lagP99Ms,
    cpuPercent: all.at(-1)?.cpuPercent ?? 0,
    samples: all.slice(samplesSent),
    latency: drainLiveLatency(),
  });
  samplesSent = all.length;
}

/**
 * `LAB_LISTENER_STALL_MS=<ms>`: every listener process blocks its own event loop that long every
 * half second. A starved generator on purpose, to check that such a run is declared invalid.
 */
function stallOnPurpose(): void {
  const stallMs = Number(process.env.LAB_LISTENER_STALL_MS ?? 0);
  if (!(stallMs > 0)) return;
  setInterval(() => {
    const until = performance.now() + stallMs;
    while (performance.now() < until) {
      // busy: nothing else runs in this process meanwhile
    }
  }, 500).unref();
}

async function startFleet(start: StartMessage): Promise<void> {
  monitor.start();
  stallOnPurpose();
  setInterval(sendStatus, STATUS_INTERVAL_MS).unref();
  const plan: Transport[] = [];
  // Interleave the transports so a ramp is fair to both.
  for (let i = 0; i < Math.max(start.sse, start.socketio); i++) {
    if (i < start.sse) plan.push('sse');
    if (i < start.socketio) plan.push('socketio');
  }
  const batch = Math.max(1, Math.round(start.connectRatePerSec / 20));
  const next = { sse: 0, socketio: 0 };
  const count = { sse: start.sse, socketio: start.socketio };
  const library = { sse: start.sseLibrary, socketio: start.socketioLibrary };
  for (let i = 0; i < plan.length; i += batch) {
    for (const transport of plan.slice(i, i + batch)) {
      const n = next[transport]++;
      listeners.push(open(start, transport, clientOf(n, count[transport], library[transport]), n));
    }
    await sleep(50);
  }
  rampDone = true;
}

function analyze(message: AnalyzeMessage): AnalysisMessage {
  const lastReceiptUs = new Array<number>(message.expected.length).fill(0);
  const byClient = { sse: {}, socketio: {} } as AnalysisMessage['byClient'];
  for (const transport of transports) {
    for (const client of clientKinds) {
      const own = listeners.filter((l) => l.transport === transport && l.client === client);
      const join = joinReceipts(
        message.expected,
        own.map((l) => ({ listenerId: l.id, receipts: l.receipts })),
      );
      join.lastReceiptUs.forEach((us, i) => {
        if ((lastReceiptUs[i] ?? 0) < us) lastReceiptUs[i] = us;
      });
      byClient[transport][client] = {
        totals: join.totals,
        latency: join.latency.encode(),
        latencyBySecond: Object.fromEntries(
          [...join.latencyBySecond].map(([s, h]) => [String(s), h.encode()]),
        ),
        worst: join.listeners.filter((l) => l.missing > 0 || l.duplicated > 0).slice(0, 10),
      };
    }
  }
  const journey = createJourneyBreakdown();
  for (const transport of transports) {
    const own = listeners.filter((l) => l.transport === transport).map((l) => l.receipts);
    journey.merge(breakdownOf(message.expected, own, transport));
  }
  return { type: 'analysis', byClient, lastReceiptUs, journey: journey.encode() };
}

function stop(): void {
  for (const listener of listeners) listener.connection?.close();
  monitor.stop();
  process.exit(0);
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') {
    startFleet(message).catch((error: unknown) => send({ type: 'fatal', message: String(error) }));
  } else if (message.type === 'expect') {
    for (const [correlationId, intendedSendUs] of message.items) live.expect(correlationId, intendedSendUs);
  } else if (message.type === 'analyze') {
    send(analyze(message));
  } else {
    stop();
  }
});
process.on('disconnect', () => process.exit(0));
