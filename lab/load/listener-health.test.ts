import { describe, expect, it } from 'vitest';
import type { GeneratorSample } from '../metrics/event-loop-monitor.ts';
import { healthOver } from './listener-health.ts';

const sample = (atMs: number, lagP99Ms: number, cpuPercent: number): GeneratorSample => ({
  atMs,
  lagP99Ms,
  lagMaxMs: lagP99Ms * 2,
  cpuPercent,
  cpuMs: cpuPercent * 10,
});

describe('listener process health over a window', () => {
  const samples = [sample(1000, 90, 80), sample(2000, 5, 10), sample(3000, 7, 30), sample(4500, 99, 99)];

  it('takes the samples overlapping the window, edges included, and none outside', () => {
    const health = healthOver(samples, { fromMs: 1500, toMs: 3200, intervalMs: 1000 });
    expect(health.samples).toBe(2);
    expect(health.lagP99Ms).toBe(7);
    expect(health.lagMaxMs).toBe(14);
    expect(health.cpuMs).toBe(400);
    expect(health.cpuPercent).toBe(20);
  });

  it('is empty, not an error, when no sample overlaps', () => {
    expect(healthOver(samples, { fromMs: 9000, toMs: 9500, intervalMs: 1000 })).toEqual({
      lagP99Ms: 0,
      lagMaxMs: 0,
      cpuMs: 0,
      cpuPercent: 0,
      samples: 0,
    });
  });
});
