import { aggregateBurstMetrics, burstKinds, runBurstPhase } from './burst-steps.ts';
import { apiReady } from './common-steps.ts';
import { resultMetrics, defineScenario, type Gate, type RunOptions, type Variant } from '../lab/index.ts';

export const dedupeModes = ['both', 'coalesce', 'cache', 'off'] as const;

/**
 * `both` (default) runs in-flight coalescing only (the seed's real behaviour) and then the response
 * cache; any other value runs that one API mode. `off` is the deliberately broken build: the
 * cold-burst hit-rate gate must fail and the run exit 1.
 */
export function burstVariants(options: RunOptions): Variant[] {
  const mode = String(options.dedupeMode);
  const modes = mode === 'both' ? ['coalesce', 'cache'] : [mode];
  return modes.map((m) => ({ name: m, env: { api: { DEDUPE_MODE: m } } }));
}

/**
 * The variants whose cold bursts are gated. With `both`, coalesce is the seed's behaviour shown for
 * comparison (its hit rate is reported, not gated: coalescing alone cannot reach 0.99 once the
 * leader answers before the burst has fully arrived) and cache — the build's default — is gated.
 * A single-mode run gates that mode, so `--dedupe-mode coalesce` or `off` fails honestly.
 */
export function gatedVariants(options: RunOptions): Variant[] {
  const all = burstVariants(options);
  return all.length > 1 ? all.filter((v) => v.name !== 'coalesce') : all;
}

export function burstGates(options: RunOptions): Gate[] {
  const p99 = Number(options.p99Ms);
  const perVariant = gatedVariants(options).flatMap((v): Gate[] => [
    {
      name: `${v.name}: cold bursts are de-duplicated (client hit rate >= 0.99)`,
      metric: resultMetrics.dedupeHitRate,
      phase: `${v.name}-cold`,
      op: '>=',
      threshold: 0.99,
    },
    {
      name: `${v.name}: cold-burst p99 latency <= ${p99} ms`,
      metric: resultMetrics.httpLatencyP99Ms,
      phase: `${v.name}-cold`,
      op: '<=',
      threshold: p99,
    },
  ]);
  return [
    ...perVariant,
    {
      name: 'at most one backend read per wave per API instance',
      metric: resultMetrics.dedupeBackendReadsPerWaveMax,
      op: '<=',
      threshold: 1,
    },
    {
      name: 'client-side X-Deduplicated and server-side dedupe counters agree',
      metric: 'dedupe.clientServerMismatch',
      op: '==',
      threshold: 0,
    },
    { name: 'every burst request answered 200', metric: 'dedupe.errors', op: '==', threshold: 0 },
    {
      name: 'no burst after a PUT is answered with the old version',
      metric: 'dedupe.staleResponses',
      op: '==',
      threshold: 0,
    },
  ];
}

/**
 * Waves of identical concurrent GETs on cold keys, a hot key and a key just invalidated by a PUT,
 * over a background of distinct GETs; once per de-duplication mode (API restarted in between).
 */
export const burstDuplicateGets = defineScenario({
  name: 'burst-duplicate-gets',
  hypothesis:
    'a burst of identical GETs costs one backend read per API instance and every other request is answered as a duplicate (X-Deduplicated), in coalesce and in cache mode',
  defaults: {
    durationMs: 60_000,
    rate: 50,
    listeners: 0,
    sizing:
      '20 waves of 1,000 identical GETs per key kind and mode (120,000 requests) over 50 distinct background GETs/s: 1,000 sockets per wave is what one 2-core box can open and answer in well under a second; raise --wave-size/--waves/--rate on bigger machines',
  },
  options: {
    'wave-size': { type: 'number', default: 1000, description: 'identical concurrent GETs per wave' },
    waves: {
      type: 'number',
      default: 20,
      description: 'waves per key kind (cold, hot, invalidated) and mode',
    },
    'wave-pause-ms': { type: 'number', default: 200, description: 'pause between waves, ms' },
    'dedupe-mode': {
      type: 'string',
      default: 'both',
      choices: dedupeModes,
      description:
        'API DEDUPE_MODE: both = coalesce (reported) then cache (gated); a single mode is gated; off = de-duplication disabled (the gates must fail)',
    },
    'p99-ms': {
      type: 'number',
      default: 2000,
      description: 'gate: client-side p99 of the cold-burst phase (waves + background), ms',
    },
  },
  variants: burstVariants,
  steadyState: [apiReady],
  async setup(ctx) {
    // A sentinel listener: a wave waits until the writes before it have fully settled (burst-steps).
    await ctx.listeners({ sse: 1, socketio: 0 }).waitConnected(30_000);
  },
  phases: burstKinds.map((kind) => ({ name: kind, run: (ctx) => runBurstPhase(ctx, kind) })),
  collect(ctx) {
    for (const [name, value] of Object.entries(aggregateBurstMetrics(ctx.metrics()))) ctx.metric(name, value);
    return Promise.resolve();
  },
  gates: burstGates,
});
