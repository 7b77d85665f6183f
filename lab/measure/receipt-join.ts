import {
  analyzeDelivery,
  type DeliveryReport,
  type ExpectedDelivery as KeyedExpectation,
  type Receipt as KeyedReceipt,
} from './delivery-analysis.ts';
import { notificationKey, type ExpectedNotification, type NotificationReceipt } from './correlation.ts';

/** Everything one listener received, in the order it received it. */
export interface ListenerReceiptLog {
  listenerId: string;
  receipts: Iterable<NotificationReceipt>;
}

export interface ReceiptJoin extends DeliveryReport {
  /** Receipts matching no expected notification, over all listeners. */
  unknown: number;
  /** Receipts of a notification the same listener already had, over all listeners. */
  duplicates: number;
  /**
   * Per expected notification (same index as `expected`): its LAST receipt at any listener, epoch
   * µs, or 0 when no listener received it. The time to the last subscriber is this − intended send.
   */
  lastReceiptUs: number[];
}

function* keyed(receipts: Iterable<NotificationReceipt>): Generator<KeyedReceipt> {
  for (const r of receipts) yield { id: notificationKey(r), receivedAtUs: r.receivedAtUs };
}

/**
 * Joins listeners' raw receipts with the expected notifications: a receipt's latency is its
 * `receivedAtUs` − the `intendedSendUs` of its causing write (first receipt per listener only).
 * Missing, duplicated, out-of-order and unknown receipts are counted per listener.
 */
export function joinReceipts(
  expected: readonly ExpectedNotification[],
  listeners: Iterable<ListenerReceiptLog>,
): ReceiptJoin {
  const indexOf = new Map<string, number>();
  const keyedExpected: KeyedExpectation[] = expected.map((e, i) => {
    const id = notificationKey(e);
    indexOf.set(id, i);
    return { id, sentAtUs: e.intendedSendUs };
  });
  const lastReceiptUs = new Array<number>(expected.length).fill(0);
  const logs = [...listeners];
  for (const log of logs) {
    for (const r of log.receipts) {
      const i = indexOf.get(notificationKey(r));
      if (i !== undefined && (lastReceiptUs[i] ?? 0) < r.receivedAtUs) lastReceiptUs[i] = r.receivedAtUs;
    }
  }
  const report = analyzeDelivery(
    keyedExpected,
    logs.map((log) => ({ listenerId: log.listenerId, receipts: keyed(log.receipts) })),
  );
  return {
    ...report,
    unknown: report.totals.unexpected,
    duplicates: report.totals.duplicated,
    lastReceiptUs,
  };
}
