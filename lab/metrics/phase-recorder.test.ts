import { describe, expect, it } from 'vitest';
import { createPhaseRecorder, phaseRecorderMetrics } from './phase-recorder.ts';

const START_MS = 1_700_000_000_000;

/** HDR values are exact to 3 significant digits (within 0.1%). */
function expectWithinHdr(actual: number | undefined, expected: number): void {
  expect(Math.abs((actual ?? NaN) - expected)).toBeLessThanOrEqual(expected * 0.001);
}

describe('phase recorder', () => {
  it('keeps latency totals and counters per phase', () => {
    const r = createPhaseRecorder({ startMs: START_MS });
    for (let i = 0; i < 100; i++) r.record('steady', 2_000, START_MS + i * 10);
    for (let i = 0; i < 100; i++) r.record('redis-down', 80_000, START_MS + 2_000 + i * 10);
    r.count('steady', 'non2xx', 3);
    r.count('steady', 'non2xx');

    const totals = r.totals();
    const steady = totals.find((t) => t.phase === 'steady');
    const down = totals.find((t) => t.phase === 'redis-down');
    expectWithinHdr(steady?.latency.p99Ms, 2);
    expect(steady?.counters).toEqual({ non2xx: 4 });
    expectWithinHdr(down?.latency.p50Ms, 80);
    expect(r.histogram().count).toBe(200);
  });

  it('buckets samples into one-second intervals for a p50/p99 time series', () => {
    const r = createPhaseRecorder({ startMs: START_MS });
    for (let i = 0; i < 99; i++) r.record('steady', 1_000, START_MS + 100);
    r.record('steady', 900_000, START_MS + 900); // one slow request in second 0
    for (let i = 0; i < 50; i++) r.record('steady', 5_000, START_MS + 1_500);

    const timeline = r.timeline();
    expect(timeline.map((p) => p.tSec)).toEqual([0, 1]);
    expect(timeline[0]).toMatchObject({ phase: 'steady', count: 100 });
    expectWithinHdr(timeline[0]?.p50Ms, 1);
    expectWithinHdr(timeline[0]?.maxMs, 900);
    expect(timeline[1]?.count).toBe(50);
    expectWithinHdr(timeline[1]?.p99Ms, 5);
  });

  it('draws one point per second, also for a second two phases share', () => {
    const r = createPhaseRecorder({ startMs: START_MS });
    r.record('steady', 10_000, START_MS + 1_200);
    r.record('cut', 30_000, START_MS + 1_700);
    r.record('cut', 50_000, START_MS + 1_800);
    const points = r.timeline();
    expect(points.map((p) => p.tSec)).toEqual([1]);
    expect(points[0]).toMatchObject({ phase: 'cut', count: 3 });
  });

  it('merges snapshots from worker threads into the same totals as one recorder', () => {
    const single = createPhaseRecorder({ startMs: START_MS });
    const workerA = createPhaseRecorder({ startMs: START_MS });
    const workerB = createPhaseRecorder({ startMs: START_MS });
    for (let i = 1; i <= 1_000; i++) {
      const worker = i % 2 === 0 ? workerA : workerB;
      const at = START_MS + i * 3;
      single.record('steady', i * 100, at);
      worker.record('steady', i * 100, at);
    }
    workerA.count('steady', 'errors', 2);
    workerB.count('steady', 'errors', 5);
    single.count('steady', 'errors', 7);

    const parent = createPhaseRecorder({ startMs: START_MS });
    // Snapshots go through JSON, as they would through postMessage or a child's stdout.
    parent.mergeSnapshot(
      JSON.parse(JSON.stringify(workerA.snapshot())) as ReturnType<typeof workerA.snapshot>,
    );
    parent.mergeSnapshot(workerB.snapshot());

    expect(parent.totals()).toEqual(single.totals());
    expect(parent.timeline()).toEqual(single.timeline());
  });

  it('refuses to merge a snapshot taken with a different start time', () => {
    const a = createPhaseRecorder({ startMs: START_MS });
    const b = createPhaseRecorder({ startMs: START_MS + 1 });
    expect(() => a.mergeSnapshot(b.snapshot())).toThrow(/startMs/);
  });

  it('exposes overall and per-phase metrics under the names phase gates read', () => {
    const r = createPhaseRecorder({ startMs: START_MS });
    r.record('steady', 2_000, START_MS);
    r.record('redis-down', 300_000, START_MS + 5_000);
    r.count('steady', 'non2xx', 1);
    r.count('redis-down', 'non2xx', 4);

    const metrics = phaseRecorderMetrics(r, 'http');

    expect(metrics['http.latency.count']).toBe(2);
    expect(metrics['http.non2xx']).toBe(5);
    expect(metrics['phase.redis-down.http.non2xx']).toBe(4);
    expectWithinHdr(metrics['phase.steady.http.latency.p99Ms'], 2);
    expectWithinHdr(metrics['phase.redis-down.http.latency.p99Ms'], 300);
  });
});
