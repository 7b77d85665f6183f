import { journeyStages, type JourneyEntry, type JourneyStage } from '../../contracts/journey.ts';
import type { Transport } from '../../contracts/transports.ts';
import {
  createLatencyHistogram,
  decodeLatencyHistogram,
  type LatencyHistogram,
} from '../metrics/latency-histogram.ts';
import {
  notificationKey,
  type ExpectedNotification,
  type NotificationReceipt,
  type NotificationRef,
} from './correlation.ts';

/**
 * The journey of one notification as the services marked it (contracts/journey.ts), in epoch µs.
 * With several notifications processes, the earliest receipt and the widest fan-out window of
 * any of them.
 */
export interface JourneyTimes {
  committedUs: number;
  /** The API handed the domain event to the broker. */
  eventPublishedUs: number;
  workerReceivedUs: number;
  /** The worker handed the notification to the broker. */
  notificationPublishedUs: number;
  notificationsReceivedUs: number;
  /** Per transport: when the fan-out loop began and ended. */
  fanout: Partial<Record<Transport, [startUs: number, endUs: number]>>;
}

/** The stages of one receipt, in µs, in {@link journeyStages} order; they add up to its latency. */
export type StageTimes = [number, number, number, number, number, number];

/**
 * Cuts one receipt's end-to-end latency (`receivedAtUs − intendedSendUs`) into the six stages.
 *
 * Each stage starts where the one before ended, so the sum is exact whatever the marks say. A
 * notifications process marks when its fan-out loop began and ended, not each socket's
 *   write (that would cost a clock read and a record per listener). `handoffFraction` (0 for the
 *   first listener written, 1 for the last) places this listener's hand-over inside the loop; the
 *   caller derives it from the order the listeners received the notification. It is never put
 *   after the receipt itself.
 */
export function stagesOf(
  intendedSendUs: number,
  times: JourneyTimes,
  transport: Transport,
  handoffFraction: number,
  receivedAtUs: number,
): StageTimes | undefined {
  const window = times.fanout[transport];
  if (!window) return undefined;
  const [startUs, endUs] = window;
  const handoff = Math.min(receivedAtUs, startUs + (endUs - startUs) * handoffFraction);
  return [
    times.committedUs - intendedSendUs,
    times.eventPublishedUs - times.committedUs,
    times.workerReceivedUs -
      times.eventPublishedUs +
      (times.notificationsReceivedUs - times.notificationPublishedUs),
    times.notificationPublishedUs - times.workerReceivedUs,
    handoff - times.notificationsReceivedUs,
    receivedAtUs - handoff,
  ];
}

/**
 * Builds each notification's {@link JourneyTimes} from the entries of every service process.
 * A message marked twice (a redelivery, a retried publish) counts from its first mark; a
 * notification lacking any mark has no journey (it is left out, and counted by the caller).
 */
export function indexJourneys(
  entries: Iterable<JourneyEntry>,
): (ref: NotificationRef) => JourneyTimes | undefined {
  const byWrite = new Map<string, { committed?: number; published: number[]; received?: number }>();
  const byNotification = new Map<
    string,
    { published: number[]; received?: number; fanout: JourneyTimes['fanout'] }
  >();
  const earliest = (current: number | undefined, at: number) =>
    current === undefined ? at : Math.min(current, at);

  for (const [mark, correlationId, type, atUs, endUs] of entries) {
    if (mark === 'api.committed' || mark === 'api.published' || mark === 'worker.received') {
      const write = byWrite.get(correlationId) ?? { published: [] };
      byWrite.set(correlationId, write);
      if (mark === 'api.committed') write.committed = earliest(write.committed, atUs);
      else if (mark === 'api.published') write.published.push(atUs);
      else write.received = earliest(write.received, atUs);
      continue;
    }
    const key = notificationKey({ type, correlationId });
    const notification = byNotification.get(key) ?? { published: [], fanout: {} };
    byNotification.set(key, notification);
    if (mark === 'worker.published') notification.published.push(atUs);
    else if (mark === 'notifications.received') notification.received = earliest(notification.received, atUs);
    else {
      const transport: Transport = mark === 'fanout.sse' ? 'sse' : 'socketio';
      const seen = notification.fanout[transport];
      const end = endUs ?? atUs;
      notification.fanout[transport] = seen ? [Math.min(seen[0], atUs), Math.max(seen[1], end)] : [atUs, end];
    }
  }
  return (ref) => {
    const write = byWrite.get(ref.correlationId);
    const notification = byNotification.get(notificationKey(ref));
    if (
      write?.committed === undefined ||
      write.received === undefined ||
      notification?.received === undefined
    )
      return undefined;
    const eventPublishedUs = publishThatArrived(write.published, write.received);
    const notificationPublishedUs = publishThatArrived(notification.published, notification.received);
    if (eventPublishedUs === undefined || notificationPublishedUs === undefined) return undefined;
    return {
      committedUs: write.committed,
      eventPublishedUs,
      workerReceivedUs: write.received,
      notificationPublishedUs,
      notificationsReceivedUs: notification.received,
      fanout: notification.fanout,
    };
  };
}

/**
 * The publish the consumer's first receipt came from: a message published twice (its confirm
 * lost to a broker cut, then the relay again) arrived by the last publish that began before the
 * receipt. Undefined when no publish was marked.
 */
function publishThatArrived(published: readonly number[], receivedUs: number): number | undefined {
  if (published.length === 0) return undefined;
  const before = published.filter((at) => at <= receivedUs);
  return before.length > 0 ? Math.max(...before) : Math.min(...published);
}

/**
 * Stage times over many receipts: an exact sum per stage (so the means add up to the mean
 * end-to-end latency to the microsecond) and an HDR histogram per stage for the percentiles.
 */
export interface JourneyBreakdown {
  /** Receipts with a whole journey. */
  receipts: number;
  /** Per stage, in {@link journeyStages} order. */
  sumUs: number[];
  histograms: Record<JourneyStage, LatencyHistogram>;
  add(stages: StageTimes): void;
  merge(other: JourneyBreakdown): void;
  encode(): EncodedJourneyBreakdown;
}

/** A breakdown sent between processes. */
export interface EncodedJourneyBreakdown {
  receipts: number;
  sumUs: number[];
  histograms: string[];
}

export function createJourneyBreakdown(encoded?: EncodedJourneyBreakdown): JourneyBreakdown {
  const histograms = Object.fromEntries(
    journeyStages.map((stage, i) => {
      const text = encoded?.histograms[i];
      return [stage, text ? decodeLatencyHistogram(text) : createLatencyHistogram()];
    }),
  ) as Record<JourneyStage, LatencyHistogram>;
  const breakdown: JourneyBreakdown = {
    receipts: encoded?.receipts ?? 0,
    sumUs: journeyStages.map((_, i) => encoded?.sumUs[i] ?? 0),
    histograms,
    add(stages) {
      breakdown.receipts += 1;
      journeyStages.forEach((stage, i) => {
        const us = stages[i] ?? 0;
        breakdown.sumUs[i] = (breakdown.sumUs[i] ?? 0) + us;
        // The histogram starts at 1 µs; a stage that took no time counts as the least it can.
        histograms[stage].record(Math.max(us, 0));
      });
    },
    merge(other) {
      breakdown.receipts += other.receipts;
      journeyStages.forEach((stage, i) => {
        breakdown.sumUs[i] = (breakdown.sumUs[i] ?? 0) + (other.sumUs[i] ?? 0);
        histograms[stage].merge(other.histograms[stage]);
      });
    },
    encode: () => ({
      receipts: breakdown.receipts,
      sumUs: [...breakdown.sumUs],
      histograms: journeyStages.map((stage) => histograms[stage].encode()),
    }),
  };
  return breakdown;
}

/**
 * Adds one notification's receipts at one transport's listeners to a breakdown. `receivedAtUs`
 * holds each listener's first receipt; their order stands for the order the fan-out wrote them.
 */
export function addReceipts(
  breakdown: JourneyBreakdown,
  intendedSendUs: number,
  times: JourneyTimes,
  transport: Transport,
  receivedAtUs: number[],
): void {
  const sorted = [...receivedAtUs].sort((a, b) => a - b);
  const last = sorted.length - 1;
  sorted.forEach((at, k) => {
    const stages = stagesOf(intendedSendUs, times, transport, last > 0 ? k / last : 0, at);
    if (stages) breakdown.add(stages);
  });
}

/** `journey.<stage>.{meanMs,p50Ms,p99Ms}` under `prefix` (`journey`, or `phase.<p>.journey`). */
export function journeyMetrics(prefix: string, breakdown: JourneyBreakdown): Record<string, number> {
  const out: Record<string, number> = {};
  if (breakdown.receipts === 0) return out;
  journeyStages.forEach((stage, i) => {
    const summary = breakdown.histograms[stage].summary();
    out[`${prefix}.${stage}.meanMs`] = (breakdown.sumUs[i] ?? 0) / breakdown.receipts / 1000;
    out[`${prefix}.${stage}.p50Ms`] = summary.p50Ms;
    out[`${prefix}.${stage}.p99Ms`] = summary.p99Ms;
  });
  out[`${prefix}.receipts`] = breakdown.receipts;
  return out;
}

/**
 * The breakdown of every first receipt, at one transport's listeners, of the expected
 * notifications that have a journey.
 */
export function breakdownOf(
  expected: readonly ExpectedNotification[],
  listeners: Iterable<Iterable<NotificationReceipt>>,
  transport: Transport,
): JourneyBreakdown {
  const breakdown = createJourneyBreakdown();
  const indexOf = new Map<string, number>();
  expected.forEach((e, i) => {
    if (e.journey) indexOf.set(notificationKey(e), i);
  });
  if (indexOf.size === 0) return breakdown;
  const receipts = new Map<number, number[]>();
  for (const log of listeners) {
    const seen = new Set<number>();
    for (const r of log) {
      const i = indexOf.get(notificationKey(r));
      if (i === undefined || seen.has(i)) continue;
      seen.add(i);
      const times = receipts.get(i);
      if (times) times.push(r.receivedAtUs);
      else receipts.set(i, [r.receivedAtUs]);
    }
  }
  for (const [i, times] of receipts) {
    const e = expected[i] as ExpectedNotification;
    addReceipts(breakdown, e.intendedSendUs, e.journey as JourneyTimes, transport, times);
  }
  return breakdown;
}
