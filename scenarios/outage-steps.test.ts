import { describe, expect, it } from 'vitest';
import { writeMetrics } from './outage-steps.ts';
import { scenarios } from './index.ts';
import { resultMetrics } from '../lab/index.ts';

describe('outage helpers', () => {
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
  it('registers the five fault and load scenarios besides smoke, with unique names', () => {
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
    expect(names).toHaveLength(Object.keys(resultMetrics).length);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+(\.[a-zA-Z0-9]+)+$/);
  });
});
