import { describe, expect, it } from 'vitest';
import { burstDuplicateGets, burstVariants } from './burst-duplicate-gets.ts';
import { aggregateBurstMetrics, newTally, phaseMetrics, type WaveRecord } from './burst-steps.ts';
import { expectWellFormed, gatesOf, optionsOf, runPhases } from './scenario-shape.test-support.ts';
import { judgeGates, phaseMetricName, createLatencyHistogram, resultMetrics } from '../lab/index.ts';

const wave = (over: Partial<WaveRecord> = {}): WaveRecord => ({
  sent: 1000,
  ok: 1000,
  clientHits: 999,
  answered: 1000,
  serverHits: 999,
  serverExecuted: 1,
  dbReads: 0,
  cacheReads: 1,
  cacheErrors: 0,
  stale: 0,
  ...over,
});

describe('burst-duplicate-gets', () => {
  it('is well formed at its defaults: coalesce then cache, 20 waves of 1,000', () => {
    const options = optionsOf(burstDuplicateGets);
    expectWellFormed(burstDuplicateGets, options);
    expect(options).toMatchObject({ waveSize: 1000, waves: 20, dedupeMode: 'both' });
    expect(burstVariants(options).map((v) => [v.name, v.env.api?.DEDUPE_MODE])).toEqual([
      ['coalesce', 'coalesce'],
      ['cache', 'cache'],
    ]);
    expect(runPhases(burstDuplicateGets, options)).toEqual([
      'coalesce-cold',
      'coalesce-hot',
      'coalesce-invalidated',
      'cache-cold',
      'cache-hot',
      'cache-invalidated',
    ]);
  });

  it('with both modes it gates the cache mode and reports coalesce for comparison', () => {
    const gated = gatesOf(burstDuplicateGets, optionsOf(burstDuplicateGets)).filter(
      (g) => g.phase !== undefined,
    );
    expect(gated.map((g) => g.phase)).toEqual(['cache-cold', 'cache-cold']);
    const coalesceOnly = gatesOf(
      burstDuplicateGets,
      optionsOf(burstDuplicateGets, ['--dedupe-mode', 'coalesce']),
    );
    expect(coalesceOnly.filter((g) => g.phase !== undefined).map((g) => g.phase)).toEqual([
      'coalesce-cold',
      'coalesce-cold',
    ]);
  });

  it('scales with its options and runs one mode when asked', () => {
    const options = optionsOf(burstDuplicateGets, [
      '--wave-size',
      '5000',
      '--waves',
      '50',
      '--dedupe-mode',
      'cache',
      '--p99-ms',
      '300',
    ]);
    expect(options).toMatchObject({ waveSize: 5000, waves: 50 });
    expect(burstVariants(options).map((v) => v.name)).toEqual(['cache']);
    expect(
      gatesOf(burstDuplicateGets, options).find((g) => g.metric === resultMetrics.httpLatencyP99Ms),
    ).toMatchObject({ phase: 'cache-cold', threshold: 300 });
  });

  it('with de-duplication off the cold-burst gate fails, by name', () => {
    const options = optionsOf(burstDuplicateGets, ['--dedupe-mode', 'off']);
    expect(burstVariants(options)).toEqual([{ name: 'off', env: { api: { DEDUPE_MODE: 'off' } } }]);
    const tally = newTally();
    tally.waves.push(wave({ clientHits: 0, serverHits: 0, serverExecuted: 1000 }));
    const perPhase = Object.fromEntries(
      Object.entries(phaseMetrics(tally, 1)).map(([k, v]) => [phaseMetricName('off-cold', k), v]),
    );
    const metrics = {
      ...perPhase,
      ...aggregateBurstMetrics(perPhase),
      [phaseMetricName('off-cold', resultMetrics.httpLatencyP99Ms)]: 100,
    };
    const failed = judgeGates(gatesOf(burstDuplicateGets, options), metrics).filter((g) => !g.passed);
    expect(failed.map((g) => g.name)).toEqual([
      'off: cold bursts are de-duplicated (client hit rate >= 0.99)',
    ]);
  });

  it('computes hit rates, their agreement and backend reads per wave from both sides', () => {
    const tally = newTally();
    tally.waves.push(
      wave(),
      wave({ clientHits: 990, serverHits: 992, serverExecuted: 8, dbReads: 1, cacheReads: 2 }),
    );
    tally.executedLatency.merge(createLatencyHistogram());
    const m = phaseMetrics(tally, 1);
    expect(m['dedupe.hitRate']).toBeCloseTo(1989 / 2000, 6);
    expect(m['dedupe.server.hitRate']).toBeCloseTo(1991 / 2000, 6);
    expect(m['dedupe.clientServerMismatch']).toBe(2);
    expect(m['dedupe.backendReadsPerWave.max']).toBe(2);
    expect(m['dedupe.dbReadsPerWave.max']).toBe(1);
    expect(phaseMetrics(tally, 2)['dedupe.backendReadsPerWave.max']).toBe(1);
  });

  it('aggregates the phases into the stable run-wide names', () => {
    const a = phaseMetrics({ ...newTally(), waves: [wave()] }, 1);
    const b = phaseMetrics(
      { ...newTally(), waves: [wave({ clientHits: 0, serverHits: 0, serverExecuted: 1000, dbReads: 3 })] },
      1,
    );
    const metrics: Record<string, number> = {};
    for (const [phase, m] of [
      ['cache-cold', a],
      ['off-cold', b],
    ] as const) {
      for (const [k, v] of Object.entries(m)) metrics[phaseMetricName(phase, k)] = v;
    }
    const out = aggregateBurstMetrics(metrics);
    expect(out[resultMetrics.dedupeHitRate]).toBeCloseTo(999 / 2000, 6);
    expect(out[resultMetrics.dedupeBackendReadsPerWaveMax]).toBe(3);
    expect(out['dedupe.waves']).toBe(2);
  });
});
