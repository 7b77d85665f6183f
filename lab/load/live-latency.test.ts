import { describe, expect, it } from 'vitest';
import {
  correlationIdFor,
  createLatencyBatcher,
  intendedSendUsOf,
  replayLatencyBatch,
} from './live-latency.ts';

describe('live notification latency', () => {
  it('carries the intended send time in the correlation id and reads it back', () => {
    const intendedAtUs = 1_795_000_000_123_456;
    const id = correlationIdFor('lab-run7-create', 42, intendedAtUs);
    expect(id).toMatch(/^[\w.:@-]{1,128}$/);
    expect(intendedSendUsOf(id)).toBe(intendedAtUs);
  });

  it('finds no intended time in a foreign correlation id', () => {
    expect(intendedSendUsOf('0b5c2d0e-9a1f-4d6a-8d1e-2f3b4c5d6e7f')).toBeUndefined();
    expect(intendedSendUsOf('lab-crud-3')).toBeUndefined();
  });

  it('replays a batch with exact bucket counts and sum', () => {
    const buckets = [0.01, 0.1, 1];
    const batcher = createLatencyBatcher(buckets);
    for (const v of [0.004, 0.006, 0.05, 0.07, 0.09, 3]) batcher.add(v);
    const batch = batcher.drain()!;
    expect(batch.counts).toEqual([2, 3, 0, 1]);
    const replayed: number[] = [];
    replayLatencyBatch(batch, (v) => replayed.push(v));
    expect(replayed).toHaveLength(6);
    expect(replayed.reduce((a, b) => a + b, 0)).toBeCloseTo(0.004 + 0.006 + 0.05 + 0.07 + 0.09 + 3, 9);
    for (const v of replayed.slice(0, 2)) expect(v).toBeLessThanOrEqual(0.01);
    expect(batcher.drain()).toBeUndefined();
  });
});
