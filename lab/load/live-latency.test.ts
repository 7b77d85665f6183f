import { describe, expect, it } from 'vitest';
import { createLatencyBatcher, replayLatencyBatch } from './live-latency.ts';

describe('live notification latency', () => {
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
