import { describe, expect, it } from 'vitest';
import { parseComparisonReport } from './compare-schema.ts';
import {
  roundOrder,
  runComparison,
  type ComparisonProgress,
  type RunComparisonOptions,
  type Side,
} from './compare-rounds.ts';

/** A fake scenario: p99 latency per side and round, and a fixed SQL statement count per side. */
function fakeRuns(p99: Record<Side, number[]>, sqlPerWrite: Record<Side, number>) {
  const calls: string[] = [];
  const runSide = (side: Side, round: number) => {
    calls.push(`${side}#${round}`);
    return Promise.resolve({
      valid: true,
      metrics: { 'http.latency.p99Ms': p99[side][round] ?? NaN, 'api.sqlPerWrite': sqlPerWrite[side] },
    });
  };
  return { calls, runSide };
}

function options(overrides: Partial<RunComparisonOptions>): RunComparisonOptions {
  let tick = 0;
  return {
    scenario: 'smoke',
    rounds: 5,
    metrics: [
      { metric: 'http.latency.p99Ms', direction: 'lower', tolerance: 0.1 },
      { metric: 'api.sqlPerWrite', direction: 'lower', tolerance: 0, exact: true },
    ],
    baseline: { ref: 'main', sha: 'a'.repeat(40), env: {} },
    candidate: { ref: 'working tree', env: { worker: { PREFETCH: '50' } } },
    runSide: () => Promise.reject(new Error('no runner')),
    now: () => new Date(Date.UTC(2025, 2, 1, 10, 0, tick++)),
    ...overrides,
  };
}

const steady = [100, 102, 98, 101, 99];

describe('roundOrder', () => {
  it('alternates which side starts each round so a drift favours neither', () => {
    expect(roundOrder(3).map((r) => `${r.side[0]}${r.round}`)).toEqual(['b0', 'c0', 'c1', 'b1', 'b2', 'c2']);
  });
});

describe('runComparison', () => {
  it('runs the sides interleaved and finds an unchanged build equivalent', async () => {
    const fake = fakeRuns(
      { baseline: steady, candidate: [...steady].reverse() },
      { baseline: 3, candidate: 3 },
    );
    const report = await runComparison(options({ runSide: fake.runSide }));

    expect(fake.calls).toEqual([
      'baseline#0',
      'candidate#0',
      'candidate#1',
      'baseline#1',
      'baseline#2',
      'candidate#2',
      'candidate#3',
      'baseline#3',
      'baseline#4',
      'candidate#4',
    ]);
    expect(report.verdict).toBe('equivalent');
    expect(report.metrics.map((m) => m.verdict)).toEqual(['equivalent', 'equivalent']);
    expect(report.metrics[0]?.baseline.values).toEqual(steady);
    expect(report.runs).toHaveLength(10);
    expect(parseComparisonReport(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });

  it('reports a regression when latency grows 30 % and when one more SQL statement runs per write', async () => {
    const slower = steady.map((v) => v * 1.3);
    const latency = await runComparison(
      options({
        runSide: fakeRuns({ baseline: steady, candidate: slower }, { baseline: 3, candidate: 3 }).runSide,
      }),
    );
    expect(latency.verdict).toBe('regression');
    expect(latency.metrics.map((m) => m.verdict)).toEqual(['regression', 'equivalent']);

    const sql = await runComparison(
      options({
        runSide: fakeRuns({ baseline: steady, candidate: steady }, { baseline: 3, candidate: 4 }).runSide,
      }),
    );
    expect(sql.metrics.map((m) => m.verdict)).toEqual(['equivalent', 'regression']);
  });

  it('stops at the first run that did not measure a compared metric', async () => {
    const events: ComparisonProgress[] = [];
    let runsMade = 0;
    const report = await runComparison(
      options({
        metrics: [{ metric: 'x', direction: 'lower', tolerance: 0.1 }],
        runSide: () => {
          runsMade += 1;
          return Promise.resolve({ valid: true, metrics: { y: 1 } });
        },
        onProgress: (e) => events.push(e),
      }),
    );
    expect(runsMade).toBe(1);
    expect(report).toMatchObject({
      verdict: 'invalid',
      invalidReason: 'baseline round 1 of 5 did not measure x',
    });
    expect(report.metrics).toEqual([]);
    expect(events.at(-1)).toEqual({ type: 'stopped', reason: 'baseline round 1 of 5 did not measure x' });
  });

  it('names the side, round and reason of an invalid run', async () => {
    const report = await runComparison(
      options({
        metrics: [{ metric: 'x', direction: 'lower', tolerance: 0.1 }],
        runSide: (side, round) =>
          Promise.resolve(
            side === 'candidate' && round === 1
              ? { valid: false, invalidReason: 'load generator saturated', metrics: { x: 1 } }
              : { valid: true, metrics: { x: 1 } },
          ),
      }),
    );
    expect(report.invalidReason).toBe('candidate round 2 of 5 was invalid: load generator saturated');
    expect(report.runs.map((r) => r.valid)).toEqual([true, true, false]);
  });

  it('reports a run that throws as a comparison that could not be made', async () => {
    const report = await runComparison(
      options({ runSide: () => Promise.reject(new Error('npm ci failed')) }),
    );
    expect(report).toMatchObject({
      verdict: 'invalid',
      invalidReason: 'baseline round 1 of 5 failed: npm ci failed',
    });
  });

  it('stops before the next run when the signal is aborted', async () => {
    const controller = new AbortController();
    const fake = fakeRuns({ baseline: steady, candidate: steady }, { baseline: 3, candidate: 3 });
    const report = await runComparison(
      options({
        signal: controller.signal,
        runSide: async (side, round) => {
          const result = await fake.runSide(side, round);
          if (fake.calls.length === 3) controller.abort();
          return result;
        },
      }),
    );
    expect(fake.calls).toHaveLength(3);
    expect(report).toMatchObject({ verdict: 'invalid', invalidReason: 'interrupted' });
  });

  it('refuses a plan without rounds or with a metric listed twice', async () => {
    await expect(runComparison(options({ rounds: 0 }))).rejects.toThrow(/positive integer/);
    const twice = { metric: 'x', direction: 'lower', tolerance: 0 } as const;
    await expect(runComparison(options({ metrics: [twice, twice] }))).rejects.toThrow(/compared twice/);
  });
});
