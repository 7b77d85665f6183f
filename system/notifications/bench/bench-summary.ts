import type { Histogram } from 'hdr-histogram-js';
import type { ListenerWorkerReport, TransportResult } from './bench-protocol.ts';

export interface BenchInputs {
  listeners: number;
  ratePerSec: number;
  durationSec: number;
  workers: number;
  published: number;
  connectSec: number;
  serverConnected: { sse: number; socketio: number };
  rss: { baselineBytes: number; withListenersBytes: number };
  reports: ListenerWorkerReport[];
  orchestratorLoopLagMs: { p99: number; max: number };
  dropped: number;
  /** Server-side pipeline latency per transport (bucket upper bounds), in milliseconds. */
  serverPipelineMs: Record<string, { p50: string; p99: string }>;
  /** Merges HDR histograms (encoded) by adding their counts: percentiles are never averaged. */
  merge: (encoded: string[]) => Histogram;
}

const targets = { p99Ms: 200, rssMbPer1000: 15 };
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function transportSummary(inputs: BenchInputs, pick: (r: ListenerWorkerReport) => TransportResult) {
  const results = inputs.reports.map(pick);
  const sum = (f: (t: TransportResult) => number) => results.reduce((s, t) => s + f(t), 0);
  const connected = sum((t) => t.connected);
  const histogram = inputs.merge(results.map((t) => t.histogram));
  const expected = connected * inputs.published;
  const delivered = sum((t) => t.delivered);
  return {
    connected,
    expected,
    delivered,
    allDelivered: delivered === expected,
    disconnects: sum((t) => t.disconnects),
    connectErrors: sum((t) => t.connectErrors),
    latency: {
      p50: histogram.getValueAtPercentile(50),
      p90: histogram.getValueAtPercentile(90),
      p99: histogram.getValueAtPercentile(99),
      max: histogram.maxValue,
      samples: histogram.totalCount,
    },
  };
}

/** The bench's result: JSON for reports/bench/listeners.json and the text printed to the console. */
export function summarize(inputs: BenchInputs): { json: Record<string, unknown>; text: string } {
  const sse = transportSummary(inputs, (r) => r.sse);
  const socketio = transportSummary(inputs, (r) => r.socketio);
  const held = sse.connected + socketio.connected;
  const rssMb = mb(inputs.rss.withListenersBytes);
  const rssPer1000 = held > 0 ? Math.round((rssMb / held) * 1000 * 100) / 100 : Number.NaN;
  const deltaPer1000 =
    held > 0
      ? Math.round((mb(inputs.rss.withListenersBytes - inputs.rss.baselineBytes) / held) * 100_000) / 100
      : NaN;
  const lag = inputs.reports.map((r) => r.loopLagMs);
  const generatorLoopLagMs = {
    p99Worst: Math.max(...lag.map((l) => l.p99)),
    maxWorst: Math.max(...lag.map((l) => l.max)),
    perWorker: lag,
    orchestrator: inputs.orchestratorLoopLagMs,
  };
  const verdict = {
    everyNotificationDelivered: sse.allDelivered && socketio.allDelivered && held === inputs.listeners,
    p99WithinTarget: sse.latency.p99 <= targets.p99Ms && socketio.latency.p99 <= targets.p99Ms,
    rssWithinTarget: rssPer1000 <= targets.rssMbPer1000,
  };
  const json = {
    at: new Date().toISOString(),
    config: {
      listeners: inputs.listeners,
      ratePerSec: inputs.ratePerSec,
      durationSec: inputs.durationSec,
      workers: inputs.workers,
    },
    published: inputs.published,
    connectSec: inputs.connectSec,
    serverConnected: inputs.serverConnected,
    droppedByServer: inputs.dropped,
    serverPipelineMs: inputs.serverPipelineMs,
    transports: { sse, socketio },
    serverRss: {
      baselineMb: mb(inputs.rss.baselineBytes),
      withListenersMb: rssMb,
      mbPer1000Listeners: rssPer1000,
      deltaMbPer1000Listeners: deltaPer1000,
    },
    generatorLoopLagMs,
    targets,
    verdict,
  };
  const row = (name: string, t: typeof sse) =>
    `${name.padEnd(9)} ${String(t.connected).padStart(6)} ${`${t.delivered}/${t.expected}`.padStart(16)} ` +
    `${String(t.latency.p50).padStart(6)} ${String(t.latency.p99).padStart(6)} ${String(t.latency.max).padStart(6)}`;
  const text = [
    `published ${inputs.published} notifications at ${inputs.ratePerSec}/s to ${held}/${inputs.listeners} listeners`,
    'transport connected delivered/expected  p50ms  p99ms  maxms',
    row('sse', sse),
    row('socketio', socketio),
    `server RSS ${rssMb} MB with listeners (baseline ${mb(inputs.rss.baselineBytes)} MB): ` +
      `${rssPer1000} MB per 1,000 listeners (${deltaPer1000} MB per 1,000 above baseline)`,
    `generator event-loop lag: worst worker p99 ${generatorLoopLagMs.p99Worst} ms, max ${generatorLoopLagMs.maxWorst} ms`,
    `server pipeline (occurredAt → last socket write, bucket bounds): ${JSON.stringify(inputs.serverPipelineMs)}`,
    `dropped by server: ${inputs.dropped}; disconnects sse ${sse.disconnects} socketio ${socketio.disconnects}`,
    `verdict: ${JSON.stringify(verdict)}`,
  ].join('\n');
  return { json, text };
}
