import { describe, expect, it } from 'vitest';
import { breakerTimeline, drainedAt, openIntervals, writeMetrics, type PollPoint } from './outage-steps.ts';
import { scenarios } from './index.ts';
import { resultMetrics } from '../lab/index.ts';

const point = (
  atMs: number,
  state: 'closed' | 'open' | 'half-open',
  failures = 0,
  pending = 0,
): PollPoint => ({
  atMs,
  breakers: { 'api.amqp': state },
  apiPublishFailures: failures,
  apiPending: pending,
  workerPending: 0,
});

describe('outage helpers', () => {
  const points = [
    point(0, 'closed'),
    point(1000, 'closed'),
    point(1200, 'closed', 2, 5),
    point(1400, 'open', 6, 9),
    point(3000, 'open', 6, 20),
    point(5000, 'half-open', 6, 40),
    point(5200, 'closed', 6, 30),
    point(6000, 'closed', 6, 0),
  ];

  it('finds first failure, open and close around a fault', () => {
    expect(breakerTimeline(points, 'api.amqp', 1000, 4800)).toEqual({
      firstFailureMs: 1200,
      openedMs: 1400,
      closedMs: 5200,
    });
    expect(breakerTimeline(points, 'api.redis', 1000, 4800)).toEqual({ firstFailureMs: 1200 });
  });

  it('open intervals span the samples that saw the breaker open, no further', () => {
    expect(openIntervals(points, 'api.amqp')).toEqual([[1400, 3000]]);
  });

  it('the backlog is drained at the first poll back to the baseline', () => {
    expect(drainedAt(points, 4800, 0)).toBe(6000);
    expect(drainedAt(points, 4800, 30)).toBe(5200);
  });

  it('write metrics: success rate, 503s and latency', () => {
    const m = writeMetrics('w', [
      { intendedAtMs: 0, latencyMs: 10, status: 201 },
      { intendedAtMs: 1, latencyMs: 20, status: 503 },
    ]);
    expect(m['w.count']).toBe(2);
    expect(m['w.successRate']).toBe(0.5);
    expect(m['w.status503']).toBe(1);
    expect(m['w.maxMs']).toBeCloseTo(20, 0);
  });
});

describe('registry', () => {
  it('registers the five scenarios of issue 7 besides smoke, with unique names', () => {
    const names = scenarios.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'burst-duplicate-gets',
        'rabbitmq-outage',
        'listener-storm',
        'redis-outage',
        'slow-broker',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it('the stable result metric names are dotted and distinct', () => {
    const names = Object.values(resultMetrics);
    expect(names).toHaveLength(12);
    expect(new Set(names).size).toBe(12);
    for (const name of names) expect(name).toMatch(/^[a-z]+(\.[a-zA-Z0-9]+)+$/);
  });
});
