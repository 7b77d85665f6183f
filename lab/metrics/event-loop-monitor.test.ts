import { describe, expect, it } from 'vitest';
import { createEventLoopMonitor, judgeGeneratorHealth, type GeneratorSample } from './event-loop-monitor.ts';

const sample = (lagP99Ms: number, cpuPercent: number): GeneratorSample => ({
  atMs: 0,
  lagP99Ms,
  lagMaxMs: lagP99Ms,
  cpuPercent,
  cpuMs: cpuPercent * 10,
});

describe('generator health', () => {
  it('is healthy when lag and CPU stay under their thresholds', () => {
    const health = judgeGeneratorHealth([sample(5, 40), sample(8, 60), sample(12, 95)]);
    expect(health).toEqual({ lagP99Ms: 12, cpuPercent: 65, bottleneck: false });
  });

  it('flags the generator as the bottleneck when its event-loop lag p99 exceeds 200 ms', () => {
    const health = judgeGeneratorHealth([sample(5, 20), sample(350, 20)]);
    expect(health.bottleneck).toBe(true);
    expect(health.reason).toMatch(/lag p99 350\.0 ms > 200 ms/);
  });

  it('flags the generator when it used > 90% of a core in more than half the samples', () => {
    const health = judgeGeneratorHealth([sample(1, 95), sample(1, 99), sample(1, 10)]);
    expect(health.bottleneck).toBe(true);
    expect(health.reason).toMatch(/CPU > 90% of one core in 2\/3 samples/);
  });

  it('applies configurable thresholds', () => {
    const samples = [sample(60, 70), sample(60, 70)];
    expect(judgeGeneratorHealth(samples).bottleneck).toBe(false);
    expect(judgeGeneratorHealth(samples, { lagP99Ms: 50 }).bottleneck).toBe(true);
    expect(judgeGeneratorHealth(samples, { cpuPercent: 60 }).bottleneck).toBe(true);
  });
});

describe('event-loop monitor', () => {
  it('sees a 300 ms synchronous block as event-loop lag and CPU use', async () => {
    const monitor = createEventLoopMonitor({ intervalMs: 100, resolutionMs: 5 });
    monitor.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Busy for 300 ms of CPU time (not wall time, so a loaded test machine cannot shorten it):
    // the load generator doing too much work on its event loop.
    const cpuBefore = process.cpuUsage();
    while (process.cpuUsage(cpuBefore).user < 300_000) {
      // spin
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
    monitor.stop();
    monitor.stop(); // idempotent

    const samples = monitor.samples();
    expect(samples.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...samples.map((s) => s.lagMaxMs))).toBeGreaterThan(250);
    // CPU time, not percent: on a busy test machine this process may get only a share of a core.
    expect(samples.reduce((sum, s) => sum + s.cpuMs, 0)).toBeGreaterThanOrEqual(300);
    expect(Math.max(...samples.map((s) => s.cpuPercent))).toBeGreaterThan(0);
    const health = monitor.generatorHealth({ lagP99Ms: 100 });
    expect(health.bottleneck).toBe(true);
  });
});
