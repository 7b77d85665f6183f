import { describe, expect, it } from 'vitest';
import {
  HIGHEST_TRACKABLE_US,
  createLatencyHistogram,
  decodeLatencyHistogram,
  latencyMetrics,
  mergeEncodedHistograms,
} from './latency-histogram.ts';

describe('latency histogram', () => {
  it('reports percentiles of a uniform 1..100,000 µs distribution within HDR precision (0.1%)', () => {
    const h = createLatencyHistogram();
    for (let us = 1; us <= 100_000; us++) h.record(us);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = (p / 100) * 100_000;
      expect(Math.abs(h.percentileUs(p) - exact) / exact).toBeLessThanOrEqual(0.001);
    }
    const s = h.summary();
    expect(s.count).toBe(100_000);
    expect(s.p50Ms).toBeCloseTo(50, 1);
    expect(s.p99Ms).toBeCloseTo(99, 1);
    expect(s.minMs).toBe(0.001);
    expect(s.maxMs).toBeCloseTo(100, 1);
    expect(s.meanMs).toBeCloseTo(50, 1);
  });

  it('merges histograms from two workers instead of averaging percentiles', () => {
    const fastWorker = createLatencyHistogram();
    const slowWorker = createLatencyHistogram();
    fastWorker.record(1_000, 9_900); // 9,900 requests at 1 ms
    slowWorker.record(500_000, 100); // 100 requests at 500 ms

    // What each worker would send to the parent: compressed base64 text.
    const merged = mergeEncodedHistograms([fastWorker.encode(), slowWorker.encode()]);

    expect(merged.count).toBe(10_000);
    // Exactly 1% of all requests took 500 ms: the merged p99 is 1 ms, the p99.9 is 500 ms.
    expect(merged.summary().p99Ms).toBeCloseTo(1, 2);
    expect(merged.summary().p999Ms).toBeCloseTo(500, -1);
    // Averaging the workers' p99s would have claimed about 250 ms.
    const averaged = (fastWorker.summary().p99Ms + slowWorker.summary().p99Ms) / 2;
    expect(averaged).toBeGreaterThan(200);
  });

  it('round-trips through its base64 encoding', () => {
    const h = createLatencyHistogram({ packed: true });
    for (let i = 1; i <= 1000; i++) h.record(i * 37);
    const copy = decodeLatencyHistogram(h.encode());
    expect(copy.summary()).toEqual(h.summary());
  });

  it('clamps values outside 1 µs .. 10 min instead of losing them', () => {
    const h = createLatencyHistogram();
    h.record(-5);
    h.record(0);
    h.record(Number.POSITIVE_INFINITY);
    h.record(HIGHEST_TRACKABLE_US * 3);
    expect(h.count).toBe(4);
    expect(h.summary().minMs).toBe(0.001);
    expect(h.summary().maxMs).toBeGreaterThanOrEqual(599_000);
  });

  it('summarises an empty histogram as zeros', () => {
    expect(createLatencyHistogram().summary()).toEqual({
      count: 0,
      minMs: 0,
      meanMs: 0,
      p50Ms: 0,
      p90Ms: 0,
      p99Ms: 0,
      p999Ms: 0,
      maxMs: 0,
    });
  });

  it('flattens a summary into dotted metric names with units', () => {
    const h = createLatencyHistogram();
    h.record(12_000);
    const metrics = latencyMetrics('http.latency', h.summary());
    expect(metrics['http.latency.p99Ms']).toBeCloseTo(12, 1);
    expect(metrics['http.latency.count']).toBe(1);
  });
});
