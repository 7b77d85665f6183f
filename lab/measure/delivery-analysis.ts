import { createLatencyHistogram, type LatencyHistogram } from '../metrics/latency-histogram.ts';
import { prefixKeys } from '../metrics/metric-names.ts';

/** One notification the system should deliver to every listener. */
export interface ExpectedDelivery {
  /** Correlation id or message id, matched against receipts. */
  id: string;
  /** The INTENDED send time of the request that caused it, in epoch microseconds. */
  sentAtUs: number;
}

/** One notification as seen by one listener. */
export interface Receipt {
  id: string;
  /** Receipt time in epoch microseconds. */
  receivedAtUs: number;
}

export interface ListenerReceipts {
  listenerId: string;
  /** In the order the listener received them. */
  receipts: Iterable<Receipt>;
}

/** Delivery completeness for one listener. */
export interface ListenerDelivery {
  listenerId: string;
  /** Distinct expected notifications received. */
  received: number;
  /** Expected notifications never received. */
  missing: number;
  /** Receipts of a notification already received. */
  duplicated: number;
  /** First receipts of a notification sent before one already received (inversions vs. send order). */
  outOfOrder: number;
  /** Receipts whose id was not expected at all. */
  unexpected: number;
}

export interface DeliveryTotals {
  listeners: number;
  expected: number;
  /** Listeners that received every expected notification, exactly once each. */
  listenersComplete: number;
  received: number;
  missing: number;
  duplicated: number;
  outOfOrder: number;
  unexpected: number;
}

export interface DeliveryReport {
  listeners: ListenerDelivery[];
  totals: DeliveryTotals;
  /** Receipt − intended send, over the first receipt of each notification at each listener (µs). */
  latency: LatencyHistogram;
  /** The same latencies by the epoch second of the intended send, for a latency-over-time chart. */
  latencyBySecond: Map<number, LatencyHistogram>;
}

/**
 * Computes per-listener missing/duplicated/out-of-order counts and the end-to-end latency
 * histogram. Linear in (expected + receipts): one id → send-order index map is built once, and each
 * listener reuses one stamp array instead of a per-listener set, so 10,000 listeners × a few
 * hundred notifications cost a few million array operations.
 *
 * "Order" is the order of `expected` (send order).
 */
export function analyzeDelivery(
  expected: readonly ExpectedDelivery[],
  listeners: Iterable<ListenerReceipts>,
): DeliveryReport {
  const indexOf = new Map<string, number>();
  expected.forEach((n, i) => indexOf.set(n.id, i));
  // seenBy[i] === listener number + 1 when the current listener already received notification i.
  const seenBy = new Uint32Array(expected.length);
  const latency = createLatencyHistogram();
  const latencyBySecond = new Map<number, LatencyHistogram>();
  const secondOf = (index: number): LatencyHistogram => {
    const second = Math.floor((expected[index]?.sentAtUs ?? 0) / 1_000_000);
    let h = latencyBySecond.get(second);
    if (!h) latencyBySecond.set(second, (h = createLatencyHistogram({ packed: true })));
    return h;
  };
  const results: ListenerDelivery[] = [];
  let listenerNo = 0;

  for (const { listenerId, receipts } of listeners) {
    listenerNo += 1;
    const r: ListenerDelivery = {
      listenerId,
      received: 0,
      missing: 0,
      duplicated: 0,
      outOfOrder: 0,
      unexpected: 0,
    };
    let highestIndex = -1;
    for (const receipt of receipts) {
      const index = indexOf.get(receipt.id);
      if (index === undefined) {
        r.unexpected += 1;
        continue;
      }
      if (seenBy[index] === listenerNo) {
        r.duplicated += 1;
        continue;
      }
      seenBy[index] = listenerNo;
      r.received += 1;
      if (index < highestIndex) r.outOfOrder += 1;
      else highestIndex = index;
      const latencyUs = receipt.receivedAtUs - (expected[index]?.sentAtUs ?? receipt.receivedAtUs);
      latency.record(latencyUs);
      secondOf(index).record(latencyUs);
    }
    r.missing = expected.length - r.received;
    results.push(r);
  }
  return { listeners: results, totals: sumTotals(results, expected.length), latency, latencyBySecond };
}

/** Totals with every count at zero, to add listeners (or other totals) into. */
export function emptyTotals(listeners: number, expected: number): DeliveryTotals {
  return {
    listeners,
    expected,
    listenersComplete: 0,
    received: 0,
    missing: 0,
    duplicated: 0,
    outOfOrder: 0,
    unexpected: 0,
  };
}

function sumTotals(listeners: readonly ListenerDelivery[], expected: number): DeliveryTotals {
  const totals = emptyTotals(listeners.length, expected);
  for (const l of listeners) {
    totals.received += l.received;
    totals.missing += l.missing;
    totals.duplicated += l.duplicated;
    totals.outOfOrder += l.outOfOrder;
    totals.unexpected += l.unexpected;
    if (l.missing === 0 && l.duplicated === 0) totals.listenersComplete += 1;
  }
  return totals;
}

/** Dotted metrics for a delivery report, e.g. `notifications.missing`, `notifications.latency.p99Ms`. */
export function deliveryMetrics(prefix: string, report: DeliveryReport): Record<string, number> {
  return {
    ...prefixKeys(prefix, report.totals),
    ...prefixKeys(`${prefix}.latency`, report.latency.summary()),
  };
}
