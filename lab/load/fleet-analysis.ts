import { emptyTotals, type DeliveryTotals, type ListenerDelivery } from '../measure/delivery-analysis.ts';
import {
  createLatencyHistogram,
  decodeLatencyHistogram,
  type LatencyHistogram,
} from '../metrics/latency-histogram.ts';
import { type ExpectedNotification } from '../measure/correlation.ts';
import { transports, type AnalysisMessage, type Transport } from './listener-protocol.ts';

export interface FleetAnalysis {
  byTransport: Record<
    Transport,
    {
      totals: DeliveryTotals;
      latency: LatencyHistogram;
      /** Latency by epoch second of the intended send. */
      latencyBySecond: Map<number, LatencyHistogram>;
      worst: ListenerDelivery[];
    }
  >;
  /** Merged over transports. */
  latency: LatencyHistogram;
  /** Per notification: last receipt at any listener − intended send, µs (time to last subscriber). */
  timeToLastSubscriber: LatencyHistogram;
  /** Correlation ids of which at least one notification reached at least one listener. */
  reachedCorrelationIds: Set<string>;
}

/** One fleet-wide analysis from every process's part: histograms merged, counts added. */
export function mergeAnalyses(
  replies: readonly AnalysisMessage[],
  expected: readonly ExpectedNotification[],
): FleetAnalysis {
  const latency = createLatencyHistogram();
  const byTransport = {} as FleetAnalysis['byTransport'];
  for (const t of transports) {
    const merged = createLatencyHistogram();
    const totals = emptyTotals(0, expected.length);
    const worst: ListenerDelivery[] = [];
    const latencyBySecond = new Map<number, LatencyHistogram>();
    for (const reply of replies) {
      const part = reply.byTransport[t];
      merged.merge(decodeLatencyHistogram(part.latency));
      for (const [second, encoded] of Object.entries(part.latencyBySecond ?? {})) {
        let h = latencyBySecond.get(Number(second));
        if (!h) latencyBySecond.set(Number(second), (h = createLatencyHistogram()));
        h.merge(decodeLatencyHistogram(encoded));
      }
      for (const key of Object.keys(totals) as (keyof DeliveryTotals)[])
        if (key !== 'expected') totals[key] += part.totals[key];
      worst.push(...part.worst);
    }
    latency.merge(merged);
    byTransport[t] = { totals, latency: merged, latencyBySecond, worst: worst.slice(0, 10) };
  }
  const timeToLastSubscriber = createLatencyHistogram();
  const reachedCorrelationIds = new Set<string>();
  expected.forEach((notification, i) => {
    const last = Math.max(0, ...replies.map((r) => r.lastReceiptUs[i] ?? 0));
    if (last === 0) return;
    reachedCorrelationIds.add(notification.correlationId);
    timeToLastSubscriber.record(last - notification.intendedSendUs);
  });
  return { byTransport, latency, timeToLastSubscriber, reachedCorrelationIds };
}
