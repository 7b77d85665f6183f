import { transports, type Transport } from '../../contracts/transports.ts';
import type { ListenerProcessHealth } from '../load/listener-fleet.ts';
import { clientKinds, type ClientKind, type TransportCounters } from '../load/listener-protocol.ts';

/**
 * When a run says more about the generator than about the service. Receipt times are taken in the
 * listener processes and send times in the publisher: a loop lagging by more than this delays the
 * one or the other, so the latency measured would be partly the lab's own.
 */
export const validityBounds = {
  /** Any listener process's event-loop lag p99 over the measured window, ms. */
  listenerLagP99Ms: 50,
  /** The publishing (orchestrator) process's event-loop lag p99 over the window, ms. */
  publisherLagP99Ms: 50,
} as const;

/**
 * What the bench wants of the service: p99 per transport within 100 ms for up to 10,000 listeners
 * at 1 notification/s, 200 ms at higher rates, 500 ms beyond 10,000 listeners; whole-process RSS
 * of at most 15 MB per 1,000 listeners.
 */
export function targetsFor(config: { listeners: number; ratePerSec: number }): {
  p99Ms: number;
  rssMbPer1000: number;
} {
  const p99Ms = config.listeners > 10_000 ? 500 : config.ratePerSec > 1 ? 200 : 100;
  return { p99Ms, rssMbPer1000: 15 };
}

export interface ListenersBenchInputs {
  config: {
    listeners: number;
    ratePerSec: number;
    durationSec: number;
    workers: number;
    /** Notifications processes the listeners were spread over. */
    processes: number;
    /** Share of each transport's listeners on the library clients. */
    libraryShare: number;
  };
  published: number;
  publishedLate: number;
  connectSec: number;
  serverConnected: Record<Transport, number>;
  droppedByServer: number;
  serverPipelineMs: Record<Transport, { p50: string; p99: string }>;
  rss: { baselineBytes: number; withListenersBytes: number };
  /** The scenario's notification metrics (same names, same code: lab/experiment/standard-metrics.ts). */
  metrics: Readonly<Record<string, number>>;
  /** Fleet counters at the end of the measured window. */
  counters: Record<Transport, TransportCounters>;
  /** The same per client kind. */
  countersByClient: Record<Transport, Record<ClientKind, TransportCounters>>;
  /** Each listener process over the measured window. */
  processes: readonly ListenerProcessHealth[];
  publisherLagMs: { p99: number; max: number };
  /** The measured window (first publish → last receipt awaited), ms. */
  windowMs: number;
  /** Cores of this machine, which the listener processes share with the service. */
  cores: number;
  /** The service's process_cpu_seconds_total at the window's start and end. */
  serverCpuSec: { before: number; after: number };
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes: number): number => round(bytes / 2 ** 20, 1);

/** One group of listeners: `notifications.<prefix>.*` metrics and its counters. */
function groupSummary(inputs: ListenersBenchInputs, prefix: string, counters: TransportCounters) {
  const m = (name: string): number => inputs.metrics[`notifications.${prefix}.${name}`] ?? 0;
  const expected = m('listeners') * inputs.published;
  return {
    connected: counters.connected,
    expected,
    delivered: m('delivered'),
    allDelivered: m('delivered') === expected && m('duplicated') === 0,
    disconnects: counters.disconnects,
    connectErrors: counters.errors,
    latency: {
      p50: round(m('latency.p50Ms')),
      p90: round(m('latency.p90Ms')),
      p99: round(m('latency.p99Ms')),
      max: round(m('latency.maxMs')),
      samples: m('latency.count'),
    },
  };
}

function transportSummary(inputs: ListenersBenchInputs, t: Transport) {
  return groupSummary(inputs, t, inputs.counters[t]);
}

/** Lean and library listeners of a transport, apart: the transport's summary adds them up. */
function clientSummaries(inputs: ListenersBenchInputs, t: Transport) {
  const [lean, library] = clientKinds.map((c) =>
    groupSummary(inputs, `${t}.${c}`, inputs.countersByClient[t][c]),
  ) as [GroupSummary, GroupSummary];
  return { lean, library };
}

type GroupSummary = ReturnType<typeof groupSummary>;

/** Why the run cannot be trusted, or undefined when it can. */
export function invalidReasonOf(inputs: ListenersBenchInputs): string | undefined {
  const reasons: string[] = [];
  const lagging = inputs.processes
    .map((p, i) => ({ ...p, i }))
    .filter((p) => p.lagP99Ms > validityBounds.listenerLagP99Ms);
  for (const p of lagging) {
    reasons.push(
      `listener process ${p.i} event-loop lag p99 ${round(p.lagP99Ms, 1)} ms > ${validityBounds.listenerLagP99Ms} ms`,
    );
  }
  if (inputs.processes.some((p) => p.samples === 0)) reasons.push('a listener process sent no health sample');
  if (inputs.publisherLagMs.p99 > validityBounds.publisherLagP99Ms) {
    reasons.push(
      `publisher event-loop lag p99 ${round(inputs.publisherLagMs.p99, 1)} ms > ${validityBounds.publisherLagP99Ms} ms`,
    );
  }
  if (inputs.published === 0) reasons.push('nothing was published');
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/** The bench's result: JSON for reports/bench/listeners.json. A pure function of the inputs. */
export function listenersBenchReport(inputs: ListenersBenchInputs, at: Date) {
  const sse = transportSummary(inputs, 'sse');
  const socketio = transportSummary(inputs, 'socketio');
  const held = sse.connected + socketio.connected;
  const rssMb = mb(inputs.rss.withListenersBytes);
  const targets = targetsFor(inputs.config);
  const perThousand = (value: number): number => (held > 0 ? round((value / held) * 1000) : Number.NaN);
  const delivered = inputs.metrics['notifications.delivered'] ?? 0;
  const serverCpuUs = (inputs.serverCpuSec.after - inputs.serverCpuSec.before) * 1e6;
  const generatorCpuPercent = inputs.processes.reduce((sum, p) => sum + p.cpuPercent, 0);
  const invalidReason = invalidReasonOf(inputs);
  return {
    at: at.toISOString(),
    config: inputs.config,
    valid: invalidReason === undefined,
    ...(invalidReason ? { invalidReason } : {}),
    validityBounds,
    latencyClock: 'intended publish time of the notification → receipt at the listener process',
    published: inputs.published,
    publishedLate: inputs.publishedLate,
    connectSec: round(inputs.connectSec),
    serverConnected: inputs.serverConnected,
    droppedByServer: inputs.droppedByServer,
    serverPipelineMs: inputs.serverPipelineMs,
    transports: { sse, socketio },
    clients: { sse: clientSummaries(inputs, 'sse'), socketio: clientSummaries(inputs, 'socketio') },
    serverRss: {
      baselineMb: mb(inputs.rss.baselineBytes),
      withListenersMb: rssMb,
      mbPer1000Listeners: perThousand(rssMb),
      deltaMbPer1000Listeners: perThousand(mb(inputs.rss.withListenersBytes - inputs.rss.baselineBytes)),
    },
    serverCpuUsPerDelivery: delivered > 0 ? round(serverCpuUs / delivered) : Number.NaN,
    generatorCpu: {
      // Share of the whole machine (0..1) the listener processes used over the window.
      share: round(generatorCpuPercent / 100 / inputs.cores, 3),
      cores: inputs.cores,
      windowMs: Math.round(inputs.windowMs),
      perWorkerCpuMs: inputs.processes.map((p) => Math.round(p.cpuMs)),
    },
    generatorLoopLagMs: {
      p99Worst: round(Math.max(0, ...inputs.processes.map((p) => p.lagP99Ms))),
      maxWorst: round(Math.max(0, ...inputs.processes.map((p) => p.lagMaxMs))),
      perWorker: inputs.processes.map((p) => ({ p99: round(p.lagP99Ms), max: round(p.lagMaxMs) })),
      orchestrator: { p99: round(inputs.publisherLagMs.p99), max: round(inputs.publisherLagMs.max) },
    },
    metrics: inputs.metrics,
    targets,
    verdict: {
      everyNotificationDelivered:
        sse.allDelivered && socketio.allDelivered && held === inputs.config.listeners,
      p99WithinTarget: sse.latency.p99 <= targets.p99Ms && socketio.latency.p99 <= targets.p99Ms,
      rssWithinTarget: perThousand(rssMb) <= targets.rssMbPer1000,
    },
  };
}

export type ListenersBenchReport = ReturnType<typeof listenersBenchReport>;

/** The console summary of a report. */
export function listenersBenchText(report: ListenersBenchReport): string {
  const row = (name: string, t: GroupSummary): string =>
    `${name.padEnd(17)} ${String(t.connected).padStart(9)} ${`${t.delivered}/${t.expected}`.padStart(18)} ` +
    `${String(t.latency.p50).padStart(8)} ${String(t.latency.p99).padStart(8)} ${String(t.latency.max).padStart(8)}`;
  return [
    `published ${report.published} notifications at ${report.config.ratePerSec}/s to ${report.config.listeners} listeners`,
    `latency clock: ${report.latencyClock}`,
    `library clients (eventsource, socket.io-client): ${round(report.config.libraryShare * 100, 1)}% of each transport, the rest lean`,
    `${'listeners'.padEnd(17)} connected delivered/expected    p50ms    p99ms    maxms`,
    ...transports.flatMap((t) => [
      row(t, report.transports[t]),
      ...clientKinds.map((c) => row(`  ${c}`, report.clients[t][c])),
    ]),
    `server RSS ${report.serverRss.withListenersMb} MB (baseline ${report.serverRss.baselineMb} MB): ` +
      `${report.serverRss.mbPer1000Listeners} MB per 1,000 listeners`,
    `server CPU per delivered notification: ${report.serverCpuUsPerDelivery} µs; ` +
      `listener processes used ${Math.round(report.generatorCpu.share * 100)}% of ${report.generatorCpu.cores} cores`,
    `listener loop lag: worst p99 ${report.generatorLoopLagMs.p99Worst} ms, max ${report.generatorLoopLagMs.maxWorst} ms`,
    `valid: ${report.valid}${report.invalidReason ? ` (${report.invalidReason})` : ''}`,
    `verdict: ${JSON.stringify(report.verdict)}`,
  ].join('\n');
}
