import { describe, expect, it } from 'vitest';
import { drainedAt, firstPublishFailureAfter, type PollPoint } from './outbox.ts';

const point = (atMs: number, failures: number, pending: number): PollPoint => ({
  atMs,
  apiPublishFailures: failures,
  apiPending: pending,
  apiOldestAgeSec: 0,
  workerPending: 0,
});

describe('outbox probes', () => {
  const points = [
    point(0, 0, 0),
    point(1000, 0, 0),
    point(1200, 2, 5),
    point(1400, 6, 9),
    point(5000, 6, 40),
    point(5200, 6, 30),
    point(6000, 6, 0),
  ];

  it('finds the first poll that counted new publish failures after a fault', () => {
    expect(firstPublishFailureAfter(points, 1000)).toBe(1200);
    expect(firstPublishFailureAfter(points, 1500)).toBeUndefined();
  });

  it('finds the backlog drained at the first poll back to the baseline', () => {
    expect(drainedAt(points, 4800, 0)).toBe(6000);
    expect(drainedAt(points, 4800, 30)).toBe(5200);
  });
});
