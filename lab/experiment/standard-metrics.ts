import { phaseMetricName } from '../gates/gate.ts';
import { latencyMetrics } from '../metrics/latency-histogram.ts';
import type { PhaseRecorder } from '../metrics/phase-recorder.ts';
import type { ListenerFleet } from '../load/listener-fleet.ts';
import { clientKinds, transports } from '../load/listener-protocol.ts';
import type { RequestStats } from '../load/request-stats.ts';
import type { ExpectedNotification } from '../measure/correlation.ts';
import type { FleetAnalysis } from '../load/fleet-analysis.ts';
import type { LatencyPoint } from '../report/result-schema.ts';
import { journeyMetrics, stagesOf } from '../measure/journey-stages.ts';
import type { Transport } from '../../contracts/transports.ts';
import type { CollectedJourneys } from '../probes/journeys.ts';
import { routes } from '../../contracts/http.ts';
import { journeyStages, journeysRoute } from '../../contracts/journey.ts';
import type { Target } from '../target/target.ts';

/** Every service process's journey log: next to its `/metrics`. */
export function journeyUrlsOf(target: Pick<Target, 'processMetricsUrls'>): string[] {
  return Object.values(target.processMetricsUrls)
    .flat()
    .map((url) => url.replace(new RegExp(`${routes.metrics}$`), journeysRoute));
}

/**
 * `journey.notifications`: expected notifications whose journey every service marked (the others
 * are left out of `journey.*`); `journey.lostMarks`: marks the services' bounded logs overwrote
 * before the lab read them.
 */
export function journeyCoverageMetrics(
  expected: readonly ExpectedNotification[],
  collected: Pick<CollectedJourneys, 'lost'>,
): Record<string, number> {
  return {
    'journey.notifications': expected.filter((e) => e.journey).length,
    'journey.lostMarks': collected.lost,
  };
}

/**
 * Metrics every run reports (README "Result metrics"):
 * - `http.latency.{count,p50Ms,p90Ms,p99Ms,p999Ms,maxMs,…}` from intended send time, all phases merged;
 *   `phase.<p>.http.latency.*` per phase (HDR histograms merged, never averaged);
 * - `http.requests`, `http.errors` (transport errors and 5xx), `http.deduplicated`, `http.status.<code>`,
 *   and the same under `phase.<p>.`.
 */
export function httpMetrics(recorder: PhaseRecorder, stats: RequestStats): Record<string, number> {
  const out: Record<string, number> = {};
  const total = recorder.histogram();
  if (total.count > 0) Object.assign(out, latencyMetrics('http.latency', total.summary()));
  for (const { phase, latency } of recorder.totals()) {
    if (latency.count > 0)
      Object.assign(out, latencyMetrics(phaseMetricName(phase, 'http.latency'), latency));
  }
  out['http.requests'] = stats.total;
  out['http.errors'] = stats.errors;
  out['http.deduplicated'] = stats.deduplicated;
  for (const [phase, counters] of Object.entries(stats.byPhase())) {
    for (const [name, value] of Object.entries(counters)) {
      out[phaseMetricName(phase, `http.${name}`)] = value;
      if (name.startsWith('status.')) out[`http.${name}`] = (out[`http.${name}`] ?? 0) + value;
    }
  }
  return out;
}

/**
 * Delivery metrics over every listener fleet of the run:
 * - `notifications.expected` = expected notifications × listeners, `notifications.delivered` (distinct
 *   receipts), `.missing`, `.duplicated`, `.outOfOrder`, `.listenersComplete`, `.latency.*`
 *   (receipt − intended send of the causing write), `notifications.<transport>.*`,
 *   `notifications.timeToLastSubscriber.*`;
 * - `notifications.<transport>.<lean|library>.{listeners,delivered,missing,duplicated,latency.*}`:
 *   the same per client kind, so the library clients' own cost shows beside the lean bulk;
 * - `events.accepted` (distinct correlation ids expected), `events.lost` (accepted writes none of
 *   whose notifications reached any listener);
 * - per phase of the causing write: `phase.<p>.notifications.{expected,delivered,missing,latency.p99Ms}`.
 */
export async function notificationMetrics(
  fleets: readonly ListenerFleet[],
  expected: readonly ExpectedNotification[],
  phaseAt: (epochMs: number) => string,
  /** Receives the fleet-wide analysis the figures come from (e.g. for the latency timeline). */
  onAnalysis?: (analysis: FleetAnalysis) => void,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const correlationIds = new Set(expected.map((e) => e.correlationId));
  out['events.accepted'] = correlationIds.size;
  if (fleets.length === 0) return out;
  const fleet = fleets[0];
  if (!fleet) return out;
  if (fleets.length > 1) out['notifications.fleets'] = fleets.length;
  const analysis = await fleet.join(expected);
  onAnalysis?.(analysis);
  let listeners = 0;
  const sum = { delivered: 0, missing: 0, duplicated: 0, outOfOrder: 0, listenersComplete: 0 };
  for (const t of transports) {
    const { totals, latency } = analysis.byTransport[t];
    listeners += totals.listeners;
    sum.delivered += totals.received;
    sum.missing += totals.missing;
    sum.duplicated += totals.duplicated;
    sum.outOfOrder += totals.outOfOrder;
    sum.listenersComplete += totals.listenersComplete;
    out[`notifications.${t}.listeners`] = totals.listeners;
    out[`notifications.${t}.delivered`] = totals.received;
    out[`notifications.${t}.missing`] = totals.missing;
    out[`notifications.${t}.duplicated`] = totals.duplicated;
    if (latency.count > 0)
      Object.assign(out, latencyMetrics(`notifications.${t}.latency`, latency.summary()));
    for (const c of clientKinds) {
      const group = analysis.byClient[t][c];
      const prefix = `notifications.${t}.${c}`;
      out[`${prefix}.listeners`] = group.totals.listeners;
      out[`${prefix}.delivered`] = group.totals.received;
      out[`${prefix}.missing`] = group.totals.missing;
      out[`${prefix}.duplicated`] = group.totals.duplicated;
      if (group.latency.count > 0)
        Object.assign(out, latencyMetrics(`${prefix}.latency`, group.latency.summary()));
    }
  }
  out['notifications.listeners'] = listeners;
  out['notifications.expected'] = expected.length * listeners;
  for (const [key, value] of Object.entries(sum)) out[`notifications.${key}`] = value;
  if (analysis.latency.count > 0)
    Object.assign(out, latencyMetrics('notifications.latency', analysis.latency.summary()));
  Object.assign(
    out,
    journeyMetrics('journey', analysis.journey),
    journeyAgreement(analysis.journey, out['notifications.latency.meanMs'], sum.delivered),
  );
  if (analysis.timeToLastSubscriber.count > 0) {
    Object.assign(
      out,
      latencyMetrics('notifications.timeToLastSubscriber', analysis.timeToLastSubscriber.summary()),
    );
  }
  // A write is lost when none of its notifications reached any listener.
  out['events.lost'] = [...correlationIds].filter((id) => !analysis.reachedCorrelationIds.has(id)).length;
  await perPhase(out, fleet, expected, phaseAt, listeners);
  return out;
}

/**
 * `journey.coverage`: the share of delivered notifications whose stages are known;
 * `journey.meanGap`: how far the stage means' sum lies from `notifications.latency.meanMs`, as a
 * share of it (the stages add up exactly per receipt; a gap means receipts without a journey, or
 * the histogram's rounding of the end-to-end mean).
 */
function journeyAgreement(
  journey: FleetAnalysis['journey'],
  meanMs: number | undefined,
  delivered: number,
): Record<string, number> {
  if (journey.receipts === 0 || meanMs === undefined || delivered === 0) return {};
  const stageMeansMs = journey.sumUs.reduce((s, us) => s + us, 0) / journey.receipts / 1000;
  return {
    'journey.coverage': journey.receipts / delivered,
    'journey.meanGap': meanMs > 0 ? Math.abs(stageMeansMs - meanMs) / meanMs : 0,
  };
}

async function perPhase(
  out: Record<string, number>,
  fleet: ListenerFleet,
  expected: readonly ExpectedNotification[],
  phaseAt: (epochMs: number) => string,
  listeners: number,
): Promise<void> {
  const byPhase = new Map<string, ExpectedNotification[]>();
  for (const item of expected) {
    const phase = phaseAt(item.intendedSendUs / 1000);
    byPhase.set(phase, [...(byPhase.get(phase) ?? []), item]);
  }
  if (byPhase.size < 2) return;
  for (const [phase, items] of byPhase) {
    const analysis = await fleet.join(items);
    let delivered = 0;
    let missing = 0;
    for (const t of transports) {
      delivered += analysis.byTransport[t].totals.received;
      missing += analysis.byTransport[t].totals.missing;
    }
    out[phaseMetricName(phase, 'notifications.expected')] = items.length * listeners;
    out[phaseMetricName(phase, 'notifications.delivered')] = delivered;
    out[phaseMetricName(phase, 'notifications.missing')] = missing;
    if (analysis.latency.count > 0) {
      const { p99Ms, meanMs } = analysis.latency.summary();
      out[phaseMetricName(phase, 'notifications.latency.p99Ms')] = p99Ms;
      out[phaseMetricName(phase, 'notifications.latency.meanMs')] = meanMs;
    }
    Object.assign(out, journeyMetrics(phaseMetricName(phase, 'journey'), analysis.journey));
  }
}

/**
 * The notifications that took longest to reach their last listener, each with its journey and
 * how to find its trace and its log lines by correlation id: the way from a slow figure in the
 * report to the one notification behind it.
 */
export function slowestNotifications(
  analysis: Pick<FleetAnalysis, 'lastReceiptUs'>,
  expected: readonly ExpectedNotification[],
  count = 3,
): string[] {
  const ranked = expected
    .map((e, i) => ({ e, lastUs: analysis.lastReceiptUs[i] ?? 0 }))
    .filter((r) => r.lastUs > 0)
    .sort((a, b) => b.lastUs - b.e.intendedSendUs - (a.lastUs - a.e.intendedSendUs))
    .slice(0, count);
  return ranked.map(({ e, lastUs }) => {
    const ms = (us: number) => `${(us / 1000).toFixed(1)}`;
    const windows = Object.entries(e.journey?.fanout ?? {}) as [Transport, [number, number]][];
    const last = windows.sort((a, b) => a[1][1] - b[1][1]).at(-1);
    const stages = e.journey && last ? stagesOf(e.intendedSendUs, e.journey, last[0], 1, lastUs) : undefined;
    const journey = stages
      ? ` (${journeyStages.map((s, i) => `${s} ${ms(stages[i] ?? 0)}`).join(' · ')} ms)`
      : '';
    return (
      `slow notification: ${e.type} of write ${e.correlationId} reached its last listener after ` +
      `${ms(lastUs - e.intendedSendUs)} ms${journey}; its trace: Tempo ` +
      `\`{ span.messaging.message.conversation_id = "${e.correlationId}" }\`, its log lines: Loki ` +
      `\`{service=~"api|worker|notifications"} | json | correlationId="${e.correlationId}"\``
    );
  });
}

/**
 * End-to-end notification latency per transport over time: one point per second of the causing
 * write's intended send (`series` `notifications.sse` / `notifications.socketio`), `tSec` from
 * the run's start.
 */
export function notificationLatencyTimeline(analysis: FleetAnalysis, startedMs: number): LatencyPoint[] {
  return transports.flatMap((t) =>
    [...analysis.byTransport[t].latencyBySecond]
      .sort(([a], [b]) => a - b)
      .map(([second, h]) => {
        const s = h.summary();
        return {
          tSec: Math.max(0, second - startedMs / 1000),
          p50Ms: s.p50Ms,
          p99Ms: s.p99Ms,
          count: s.count,
          series: `notifications.${t}`,
        };
      }),
  );
}
