import { emptyTotals, type DeliveryTotals, type ListenerDelivery } from '../measure/delivery-analysis.ts';
import {
  createLatencyHistogram,
  decodeLatencyHistogram,
  type LatencyHistogram,
} from '../metrics/latency-histogram.ts';
import { type ExpectedNotification } from '../measure/correlation.ts';
import { createJourneyBreakdown, type JourneyBreakdown } from '../measure/journey-stages.ts';
import {
  clientKinds,
  transports,
  type AnalysisMessage,
  type ClientKind,
  type Transport,
  type TransportAnalysis,
} from './listener-protocol.ts';

/** Delivery and latency of one group of listeners (a transport, or a transport's client kind). */
export interface GroupAnalysis {
  totals: DeliveryTotals;
  latency: LatencyHistogram;
  /** Latency by epoch second of the intended send. */
  latencyBySecond: Map<number, LatencyHistogram>;
  worst: ListenerDelivery[];
}

export interface FleetAnalysis {
  /** Both client kinds of a transport together. */
  byTransport: Record<Transport, GroupAnalysis>;
  /** Per transport and client kind: what lean and library listeners saw, apart. */
  byClient: Record<Transport, Record<ClientKind, GroupAnalysis>>;
  /** Merged over transports. */
  latency: LatencyHistogram;
  /** Per notification: last receipt at any listener − intended send, µs (time to last subscriber). */
  timeToLastSubscriber: LatencyHistogram;
  /** Correlation ids of which at least one notification reached at least one listener. */
  reachedCorrelationIds: Set<string>;
  /** Where the time went, over every receipt of a notification with a journey. */
  journey: JourneyBreakdown;
  /** Per expected notification (same index): its last receipt at any listener, epoch µs, or 0. */
  lastReceiptUs: number[];
}

function emptyGroup(expected: number): GroupAnalysis {
  return {
    totals: emptyTotals(0, expected),
    latency: createLatencyHistogram(),
    latencyBySecond: new Map(),
    worst: [],
  };
}

/**
 * Adds a part to a group: histograms merged, counts added. `expected` is per listener, the same
 * in every part, so it is not added.
 */
function addTo(group: GroupAnalysis, part: GroupAnalysis): void {
  group.latency.merge(part.latency);
  for (const [second, h] of part.latencyBySecond) {
    let sum = group.latencyBySecond.get(second);
    if (!sum) group.latencyBySecond.set(second, (sum = createLatencyHistogram()));
    sum.merge(h);
  }
  for (const key of Object.keys(group.totals) as (keyof DeliveryTotals)[])
    if (key !== 'expected') group.totals[key] += part.totals[key];
  if (group.worst.length < 10) group.worst.push(...part.worst.slice(0, 10 - group.worst.length));
}

function decoded(part: TransportAnalysis, expected: number): GroupAnalysis {
  return {
    totals: { ...part.totals, expected },
    latency: decodeLatencyHistogram(part.latency),
    latencyBySecond: new Map(
      Object.entries(part.latencyBySecond).map(([s, h]) => [Number(s), decodeLatencyHistogram(h)]),
    ),
    worst: part.worst,
  };
}

/** One fleet-wide analysis from every process's parts. */
export function mergeAnalyses(
  replies: readonly AnalysisMessage[],
  expected: readonly ExpectedNotification[],
): FleetAnalysis {
  const latency = createLatencyHistogram();
  const byTransport = {} as FleetAnalysis['byTransport'];
  const byClient = {} as FleetAnalysis['byClient'];
  for (const t of transports) {
    const total = emptyGroup(expected.length);
    const kinds = {} as Record<ClientKind, GroupAnalysis>;
    for (const c of clientKinds) {
      const group = emptyGroup(expected.length);
      for (const reply of replies) addTo(group, decoded(reply.byClient[t][c], expected.length));
      addTo(total, group);
      kinds[c] = group;
    }
    latency.merge(total.latency);
    byTransport[t] = total;
    byClient[t] = kinds;
  }
  const timeToLastSubscriber = createLatencyHistogram();
  const reachedCorrelationIds = new Set<string>();
  const lastReceiptUs = expected.map((_, i) => Math.max(0, ...replies.map((r) => r.lastReceiptUs[i] ?? 0)));
  expected.forEach((notification, i) => {
    const last = lastReceiptUs[i] ?? 0;
    if (last === 0) return;
    reachedCorrelationIds.add(notification.correlationId);
    timeToLastSubscriber.record(last - notification.intendedSendUs);
  });
  const journey = createJourneyBreakdown();
  for (const reply of replies) journey.merge(createJourneyBreakdown(reply.journey));
  return {
    byTransport,
    byClient,
    latency,
    timeToLastSubscriber,
    reachedCorrelationIds,
    journey,
    lastReceiptUs,
  };
}
