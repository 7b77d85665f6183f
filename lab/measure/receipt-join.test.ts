import { describe, expect, it } from 'vitest';
import { correlationIdFor, type ExpectedNotification, type NotificationReceipt } from './correlation.ts';
import { joinReceipts } from './receipt-join.ts';

const write1 = correlationIdFor('run7-steady-1', 1);
const write2 = correlationIdFor('run7-steady-1', 2);
const expected: ExpectedNotification[] = [
  { type: 'student.created', correlationId: write1, intendedSendUs: 1_000_000 },
  { type: 'student.cached', correlationId: write1, intendedSendUs: 1_000_000 },
  { type: 'student.created', correlationId: write2, intendedSendUs: 2_000_000 },
];
const receipt = (type: string, correlationId: string, receivedAtUs: number): NotificationReceipt => ({
  type,
  correlationId,
  receivedAtUs,
});

describe('receipt join', () => {
  it('measures a receipt from the intended send of its causing write', () => {
    const join = joinReceipts(expected, [
      {
        listenerId: 'a',
        receipts: [
          receipt('student.created', write1, 1_040_000),
          receipt('student.cached', write1, 1_090_000),
          receipt('student.created', write2, 2_010_000),
        ],
      },
    ]);
    expect(join.totals.received).toBe(3);
    expect(join.totals.missing).toBe(0);
    expect(join.latency.count).toBe(3);
    expect(join.latency.percentileUs(0)).toBeCloseTo(10_000, -1);
    expect(join.latency.percentileUs(100)).toBeCloseTo(90_000, -2);
    expect(join.lastReceiptUs).toEqual([1_040_000, 1_090_000, 2_010_000]);
  });

  it('counts unknown receipts and duplicates without taking their latency', () => {
    const join = joinReceipts(expected, [
      {
        listenerId: 'a',
        receipts: [
          receipt('student.created', write1, 1_040_000),
          receipt('student.created', write1, 1_900_000),
          receipt('student.updated', write1, 1_050_000),
          receipt('student.created', 'run6-old-1', 1_060_000),
        ],
      },
      { listenerId: 'b', receipts: [receipt('student.created', write1, 1_500_000)] },
    ]);
    expect(join.duplicates).toBe(1);
    expect(join.unknown).toBe(2);
    expect(join.totals.received).toBe(2);
    expect(join.totals.missing).toBe(4);
    expect(join.latency.count).toBe(2);
    expect(join.latency.percentileUs(100)).toBeCloseTo(500_000, -3);
    expect(join.lastReceiptUs).toEqual([1_900_000, 0, 0]);
  });
});
