import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GeneratorSample } from '../metrics/event-loop-monitor.ts';
import type { ExpectedNotification } from '../measure/correlation.ts';
import { mergeAnalyses, type FleetAnalysis } from './fleet-analysis.ts';
import { healthOver, type ListenerProcessHealth } from './listener-health.ts';
import { planListenerFleet } from './listener-fleet-plan.ts';
import {
  STATUS_INTERVAL_MS,
  clientKinds,
  emptyCounters,
  transports,
  type AnalysisMessage,
  type ClientKind,
  type ParentMessage,
  type StatusMessage,
  type Transport,
  type TransportCounters,
  type WorkerMessage,
} from './listener-protocol.ts';
import type { LatencyBatch } from './live-latency.ts';
export type { ListenerProcessHealth } from './listener-health.ts';
export type { FleetAnalysis } from './fleet-analysis.ts';
import { routes } from '../../contracts/http.ts';

export interface ListenerFleetOptions {
  /** Notifications base URL (through its fault proxy). */
  baseUrl: string;
  /**
   * Several notifications processes reached directly (no balancer hop): listeners are spread
   * over these in turn instead of all going to `baseUrl`.
   */
  spreadOver?: string[];
  sse: number;
  socketio: number;
  /** Run id: put into the workers' environment (LAB_RUN_ID) so leftovers can be found. */
  runId: string;
  ssePath?: string;
  socketPath?: string;
  /** New connections per second over the whole fleet. Default 2,000. */
  connectRatePerSec?: number;
  /** Called with each worker's end-to-end latency samples as they arrive (about once a second). */
  onLatency?(transport: Transport, batch: LatencyBatch): void;
  /** Child processes; default: enough for ≤ 5,000 sockets each, and both cores past 1,000 listeners. */
  workers?: number;
  /**
   * Share (0..1) of each transport's listeners that run the library client (`eventsource`,
   * `socket.io-client`) instead of the lean one; default 0.1, at least one each unless 0.
   */
  libraryShare?: number;
}

export interface ListenerFleet {
  readonly total: number;
  /** Latest counters summed over workers. */
  counters(): Record<Transport, TransportCounters>;
  /** The same, per transport and client kind. */
  countersByClient(): Record<Transport, Record<ClientKind, TransportCounters>>;
  connected(): number;
  /** Resolves when `count` (default all) listeners are connected; throws after `timeoutMs`. */
  waitConnected(timeoutMs: number, count?: number): Promise<void>;
  /**
   * Declares notifications as they are expected, so the listener processes can turn receipts into
   * live latency samples (`onLatency`). The final figures come from {@link ListenerFleet.join}.
   */
  expect(items: readonly ExpectedNotification[]): void;
  /** Delivery completeness + latency (receipt − intended send) of the expected notifications. */
  join(expected: readonly ExpectedNotification[]): Promise<FleetAnalysis>;
  /** Largest event-loop lag p99 reported by any worker, ms (generator health). */
  maxLagP99Ms(): number;
  /** Each listener process's lag and CPU over a window (epoch ms; default: the whole run). */
  processHealth(window?: { fromMs: number; toMs: number }): ListenerProcessHealth[];
  close(): Promise<void>;
}

interface WorkerHandle {
  child: ChildProcess;
  status?: StatusMessage;
  samples: GeneratorSample[];
  pendingAnalysis?: (message: AnalysisMessage) => void;
  fatal?: string;
}

/** Starts listener child processes that open their connections at the given rate. */
export function startListenerFleet(options: ListenerFleetOptions): ListenerFleet {
  const total = options.sse + options.socketio;
  const plan = planListenerFleet({
    sse: options.sse,
    socketio: options.socketio,
    cores: cpus().length,
    destinations: options.spreadOver?.length || 1,
    ...(options.libraryShare !== undefined ? { libraryShare: options.libraryShare } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
  });
  const n = plan.length;
  const script = fileURLToPath(new URL('./listener-worker.ts', import.meta.url));
  const handles: WorkerHandle[] = [];
  for (const [i, part] of plan.entries()) {
    const child = fork(script, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, LAB_RUN_ID: options.runId },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const handle: WorkerHandle = { child, samples: [] };
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'status') {
        handle.status = message;
        handle.samples.push(...message.samples);
        for (const t of transports) {
          const batch = message.latency?.[t];
          if (batch) options.onLatency?.(t, batch);
        }
      } else if (message.type === 'analysis') handle.pendingAnalysis?.(message);
      else handle.fatal = message.message;
    });
    const start: ParentMessage = {
      type: 'start',
      baseUrls: options.spreadOver?.length ? options.spreadOver : [options.baseUrl],
      ssePath: options.ssePath ?? routes.notificationsStream,
      socketPath: options.socketPath ?? routes.socketIo,
      ...part,
      idPrefix: `w${i}`,
      connectRatePerSec: Math.max(1, (options.connectRatePerSec ?? 2000) / n),
    };
    child.send(start);
    handles.push(handle);
  }

  const addCounters = (sum: TransportCounters, c: TransportCounters | undefined): void => {
    if (!c) return;
    for (const key of Object.keys(c) as (keyof TransportCounters)[]) sum[key] += c[key];
  };
  const counters = (): Record<Transport, TransportCounters> => {
    const sum = { sse: emptyCounters(), socketio: emptyCounters() };
    for (const h of handles) for (const t of transports) addCounters(sum[t], h.status?.counters[t]);
    return sum;
  };
  const countersByClient = (): Record<Transport, Record<ClientKind, TransportCounters>> => {
    const sum = {
      sse: { lean: emptyCounters(), library: emptyCounters() },
      socketio: { lean: emptyCounters(), library: emptyCounters() },
    };
    for (const h of handles)
      for (const t of transports)
        for (const c of clientKinds) addCounters(sum[t][c], h.status?.countersByClient[t][c]);
    return sum;
  };
  const connected = (): number => transports.reduce((s, t) => s + counters()[t].connected, 0);
  // Expectations made in one tick travel to the processes as one message.
  let outbox: [string, number][] = [];
  const flushExpectations = (): void => {
    const items = outbox;
    outbox = [];
    for (const h of handles)
      if (h.child.connected) h.child.send({ type: 'expect', items } satisfies ParentMessage);
  };
  const join = async (expected: readonly ExpectedNotification[]): Promise<FleetAnalysis> => {
    const replies = await Promise.all(
      handles.map(
        (h) =>
          new Promise<AnalysisMessage>((resolve) => {
            h.pendingAnalysis = resolve;
            h.child.send({ type: 'analyze', expected: [...expected] } satisfies ParentMessage);
          }),
      ),
    );
    return mergeAnalyses(replies, expected);
  };

  return {
    total,
    counters,
    countersByClient,
    connected,
    async waitConnected(timeoutMs, count = total) {
      const until = Date.now() + timeoutMs;
      while (connected() < count) {
        const fatal = handles.find((h) => h.fatal)?.fatal;
        if (fatal) throw new Error(`listener worker failed: ${fatal}`);
        if (Date.now() > until) {
          throw new Error(`only ${connected()} of ${count} listeners connected within ${timeoutMs} ms`);
        }
        await sleep(100);
      }
    },
    expect(items) {
      if (items.length === 0) return;
      if (outbox.length === 0) queueMicrotask(flushExpectations);
      for (const item of items) outbox.push([item.correlationId, item.intendedSendUs]);
    },
    join,
    maxLagP99Ms() {
      return Math.max(0, ...handles.map((h) => h.status?.lagP99Ms ?? 0));
    },
    processHealth(window = { fromMs: 0, toMs: Number.POSITIVE_INFINITY }) {
      return handles.map((h) => healthOver(h.samples, { ...window, intervalMs: STATUS_INTERVAL_MS }));
    },
    async close() {
      await Promise.all(
        handles.map(async (h) => {
          if (h.child.exitCode !== null || h.child.signalCode !== null) return;
          const exited = new Promise((resolve) => h.child.once('exit', resolve));
          if (h.child.connected) h.child.send({ type: 'stop' } satisfies ParentMessage);
          const timeout = sleep(3000).then(() => 'timeout');
          if ((await Promise.race([exited, timeout])) === 'timeout') h.child.kill('SIGKILL');
        }),
      );
    },
  };
}
