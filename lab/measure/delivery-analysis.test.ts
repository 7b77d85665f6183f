import { describe, expect, it } from 'vitest';
import { analyzeDelivery, deliveryMetrics, type Receipt } from './delivery-analysis.ts';

const sent = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `c${i}`, sentAtUs: 1_000_000 + i * 10_000 }));

describe('delivery tracker', () => {
  it('detects missing, duplicated and out-of-order notifications per listener', () => {
    const expected = sent(5);
    const at = (id: string): Receipt => ({ id, receivedAtUs: 2_000_000 });
    const report = analyzeDelivery(expected, [
      { listenerId: 'perfect', receipts: ['c0', 'c1', 'c2', 'c3', 'c4'].map(at) },
      { listenerId: 'lossy', receipts: ['c0', 'c2', 'c4'].map(at) },
      { listenerId: 'dupes', receipts: ['c0', 'c1', 'c1', 'c2', 'c3', 'c4', 'c4'].map(at) },
      { listenerId: 'shuffled', receipts: ['c0', 'c3', 'c1', 'c2', 'c4'].map(at) },
      { listenerId: 'stranger', receipts: ['zz', 'c0', 'c1', 'c2', 'c3', 'c4'].map(at) },
    ]);
    const by = Object.fromEntries(report.listeners.map((l) => [l.listenerId, l]));

    expect(by.perfect).toMatchObject({ received: 5, missing: 0, duplicated: 0, outOfOrder: 0 });
    expect(by.lossy).toMatchObject({ received: 3, missing: 2, duplicated: 0, outOfOrder: 0 });
    expect(by.dupes).toMatchObject({ received: 5, missing: 0, duplicated: 2, outOfOrder: 0 });
    expect(by.shuffled).toMatchObject({ received: 5, missing: 0, duplicated: 0, outOfOrder: 2 });
    expect(by.stranger).toMatchObject({ received: 5, unexpected: 1 });
    expect(report.totals).toMatchObject({
      listeners: 5,
      expected: 5,
      missing: 2,
      duplicated: 2,
      outOfOrder: 2,
    });
    expect(report.totals.listenersComplete).toBe(3);
  });

  it('measures latency from the intended send time to the first receipt at each listener', () => {
    const report = analyzeDelivery(
      [{ id: 'a', sentAtUs: 1_000_000 }],
      [
        { listenerId: 'l1', receipts: [{ id: 'a', receivedAtUs: 1_050_000 }] },
        // the duplicate 5 s later must not count as a 5 s delivery
        {
          listenerId: 'l2',
          receipts: [
            { id: 'a', receivedAtUs: 1_150_000 },
            { id: 'a', receivedAtUs: 6_000_000 },
          ],
        },
      ],
    );
    expect(report.latency.count).toBe(2);
    expect(report.latency.summary().minMs).toBeCloseTo(50, 1);
    expect(report.latency.summary().maxMs).toBeCloseTo(150, 0);
  });

  it('counts a listener that received nothing as missing everything, and late sends in send order', () => {
    const report = analyzeDelivery(
      [
        { id: 'a', sentAtUs: 1_000_000 },
        { id: 'b', sentAtUs: 2_000_000 },
      ],
      [
        { listenerId: 'silent', receipts: [] },
        // 'b' arrived first although 'a' was sent first
        {
          listenerId: 'ok',
          receipts: [
            { id: 'b', receivedAtUs: 3_000_000 },
            { id: 'a', receivedAtUs: 3_000_000 },
          ],
        },
      ],
    );
    const by = Object.fromEntries(report.listeners.map((l) => [l.listenerId, l]));
    expect(by.silent).toMatchObject({ received: 0, missing: 2 });
    expect(by.ok).toMatchObject({ received: 2, missing: 0, outOfOrder: 1 });
    expect(deliveryMetrics('notifications', report)).toMatchObject({
      'notifications.missing': 2,
      'notifications.listeners': 2,
    });
  });

  it('handles 10,000 listeners × 200 notifications', () => {
    const expected = sent(200);
    function* listeners() {
      for (let l = 0; l < 10_000; l++) {
        const receipts: Receipt[] = [];
        for (let i = 0; i < 200; i++) {
          if (l === 7 && i === 100) continue; // one listener misses one notification
          receipts.push({ id: `c${i}`, receivedAtUs: 1_000_000 + i * 10_000 + 20_000 });
        }
        yield { listenerId: `l${l}`, receipts };
      }
    }
    const report = analyzeDelivery(expected, listeners());

    expect(report.totals).toMatchObject({ listeners: 10_000, missing: 1, duplicated: 0, outOfOrder: 0 });
    expect(report.latency.count).toBe(1_999_999);
    expect(report.latency.summary().p99Ms).toBeCloseTo(20, 1);
  });

  it('costs the same for the same number of receipts however many notifications there are (no quadratic work)', () => {
    // 400,000 receipts either way: 4,000 listeners × 100 notifications or 500 × 800. A lookup
    // that scans the expected list per receipt would make the second case ~8× slower.
    const timeFor = (listenerCount: number, notificationCount: number): number => {
      const expected = sent(notificationCount);
      const receipts = expected.map((n) => ({ id: n.id, receivedAtUs: n.sentAtUs + 5_000 }));
      const listeners = Array.from({ length: listenerCount }, (_, l) => ({ listenerId: `l${l}`, receipts }));
      const started = performance.now();
      const report = analyzeDelivery(expected, listeners);
      expect(report.totals.received).toBe(listenerCount * notificationCount);
      return performance.now() - started;
    };
    // Best of three, interleaved, so a busy machine affects both cases alike.
    const few: number[] = [];
    const many: number[] = [];
    for (let run = 0; run < 3; run++) {
      few.push(timeFor(4_000, 100));
      many.push(timeFor(500, 800));
    }
    expect(Math.min(...many)).toBeLessThan(3 * Math.min(...few));
  });

  it('keeps the latencies by the second of their intended send, for a chart over time', () => {
    const report = analyzeDelivery(
      [
        { id: 'a', sentAtUs: 10_200_000 },
        { id: 'b', sentAtUs: 10_900_000 },
        { id: 'c', sentAtUs: 11_100_000 },
      ],
      [
        {
          listenerId: 'l',
          receipts: [
            { id: 'a', receivedAtUs: 10_210_000 },
            { id: 'b', receivedAtUs: 10_930_000 },
            { id: 'c', receivedAtUs: 11_150_000 },
          ],
        },
      ],
    );
    expect([...report.latencyBySecond.keys()]).toEqual([10, 11]);
    expect(report.latencyBySecond.get(10)?.count).toBe(2);
    expect(report.latencyBySecond.get(11)?.summary().maxMs).toBeCloseTo(50, 0);
  });
});
