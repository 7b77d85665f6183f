import { setTimeout as sleep } from 'node:timers/promises';
import { metricNames } from '../contracts/service-metrics.ts';
import {
  phaseMetricName,
  runUntilAborted,
  createLatencyHistogram,
  parsePrometheusText,
  sumSamples,
  type HttpClient,
  type HttpRequestSpec,
  type LatencyHistogram,
  type PromSample,
  type ScenarioContext,
} from '../lab/index.ts';

/** Helpers of burst-duplicate-gets, kept apart so the scenario file reads as data. */

export type BurstKind = 'cold' | 'hot' | 'invalidated';
export const burstKinds: readonly BurstKind[] = ['cold', 'hot', 'invalidated'];

/** The API's de-duplicated student route (metric label of `dedupe_requests_total`). */
const studentRoute = '/api/students/:id';

interface ApiCounters {
  hits: number;
  executed: number;
  db: number;
  cache: number;
  cacheErrors: number;
}

/**
 * Scrapes a service's `/metrics` with a generous timeout, retrying: on a busy 2-core box a scrape
 * right after a wave can take seconds, and a wave's accounting needs both of its scrapes.
 */
export async function scrapeWithRetry(
  ctx: ScenarioContext,
  service: 'api' | 'worker',
  attempts = 4,
): Promise<PromSample[]> {
  for (let i = 1; ; i++) {
    try {
      const response = await fetch(ctx.target.metricsUrls[service], { signal: AbortSignal.timeout(10_000) });
      return parsePrometheusText(await response.text()).samples;
    } catch (error) {
      if (i >= attempts || ctx.signal.aborted)
        throw new Error(`scraping ${service} /metrics failed ${i} times: ${(error as Error).message}`);
      await sleep(500 * i);
    }
  }
}

/** Server-side counters of the student route, database reads and Redis (L2) reads, now. */
async function apiCounters(ctx: ScenarioContext): Promise<ApiCounters> {
  const samples = await scrapeWithRetry(ctx, 'api');
  const dedupe = (outcome: string): number =>
    sumSamples(samples, metricNames.dedupeRequests, { route: studentRoute, outcome }) ?? 0;
  return {
    hits: dedupe('coalesced') + dedupe('cached'),
    executed: dedupe('executed') + dedupe('bypass'),
    db: sumSamples(samples, metricNames.dbQueries, { operation: 'get' }) ?? 0,
    // Redis reads are L2 lookups that answered (hit or miss); `error` also counts failed L2 writes
    // (the set after a database read), so it is reported apart, not as a read.
    cache:
      (sumSamples(samples, metricNames.cacheRequests, { level: 'l2', result: 'hit' }) ?? 0) +
      (sumSamples(samples, metricNames.cacheRequests, { level: 'l2', result: 'miss' }) ?? 0),
    cacheErrors: sumSamples(samples, metricNames.cacheRequests, { level: 'l2', result: 'error' }) ?? 0,
  };
}

/**
 * Notifications seen so far by the scenario's sentinel listener (one SSE client, started in setup):
 * the worker publishes `student.cached` only after it has re-cached the student and published the
 * L1 invalidation, so "2 more receipts per write" means the write's side effects have settled.
 * Without a sentinel, the worker's handled-message counter is used instead.
 */
async function settledCount(ctx: ScenarioContext): Promise<number> {
  const sentinel = ctx.fleets()[0];
  if (sentinel) return sentinel.counters().sse.receipts;
  const samples = await scrapeWithRetry(ctx, 'worker').catch(() => []);
  return (sumSamples(samples, metricNames.workerMessages, { result: 'ok' }) ?? 0) * 2;
}

/**
 * Waits until `writes` more writes have settled than at `since` (a wave fired before the worker's
 * invalidation lands would be split in two by it, and count two backend reads), plus a moment for
 * the invalidation to reach the API. Gives up after `timeoutMs` with a note.
 */
async function waitForWorker(
  ctx: ScenarioContext,
  since: number,
  writes: number,
  timeoutMs = 15_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !ctx.signal.aborted) {
    if ((await settledCount(ctx)) >= since + 2 * writes) return void (await sleep(100));
    await sleep(50);
  }
  ctx.note(
    `${ctx.phase}: ${writes} write(s) had not settled (student.cached seen) within ${timeoutMs} ms; the wave ran anyway`,
  );
}

/** One wave as measured from both sides. */
export interface WaveRecord {
  sent: number;
  ok: number;
  clientHits: number;
  answered: number;
  serverHits: number;
  serverExecuted: number;
  dbReads: number;
  cacheReads: number;
  cacheErrors: number;
  stale: number;
}

/** What a phase's waves add up to; `phaseMetrics` turns it into `phase.<p>.dedupe.*`. */
export interface PhaseTally {
  waves: WaveRecord[];
  executedLatency: LatencyHistogram;
  deduplicatedLatency: LatencyHistogram;
  backgroundRequests: number;
  backgroundDeduplicated: number;
}

export function newTally(): PhaseTally {
  return {
    waves: [],
    executedLatency: createLatencyHistogram(),
    deduplicatedLatency: createLatencyHistogram(),
    backgroundRequests: 0,
    backgroundDeduplicated: 0,
  };
}

const max = (values: number[]): number => values.reduce((m, v) => Math.max(m, v), 0);
const sum = (values: number[]): number => values.reduce((s, v) => s + v, 0);

/**
 * Per-phase result metrics (names relative to `phase.<p>.`): client and server hit rates, their
 * disagreement, backend reads per wave (database and Redis; "backend" = the larger of the two, so
 * one load that misses Redis and reads the database counts once), errors, stale answers, and the
 * latency of executed vs de-duplicated responses.
 */
export function phaseMetrics(tally: PhaseTally, apiInstances: number): Record<string, number> {
  const w = tally.waves;
  const answered = sum(w.map((x) => x.answered));
  const serverAll = sum(w.map((x) => x.serverHits + x.serverExecuted));
  const out: Record<string, number> = {
    'dedupe.waves': w.length,
    'dedupe.requests': sum(w.map((x) => x.sent)),
    'dedupe.answered': answered,
    'dedupe.hits': sum(w.map((x) => x.clientHits)),
    'dedupe.server.hits': sum(w.map((x) => x.serverHits)),
    'dedupe.server.executed': sum(w.map((x) => x.serverExecuted)),
    'dedupe.clientServerMismatch': sum(w.map((x) => Math.abs(x.clientHits - x.serverHits))),
    'dedupe.errors': sum(w.map((x) => x.sent - x.ok)),
    'dedupe.staleResponses': sum(w.map((x) => x.stale)),
    'dedupe.dbReadsPerWave.max': max(w.map((x) => x.dbReads)) / apiInstances,
    'dedupe.cacheReadsPerWave.max': max(w.map((x) => x.cacheReads)) / apiInstances,
    'dedupe.backendReadsPerWave.max': max(w.map((x) => Math.max(x.dbReads, x.cacheReads))) / apiInstances,
    'dedupe.cacheErrorsPerWave.max': max(w.map((x) => x.cacheErrors)),
    'dedupe.backendReads.total': sum(w.map((x) => Math.max(x.dbReads, x.cacheReads))),
    'dedupe.background.requests': tally.backgroundRequests,
    'dedupe.background.deduplicated': tally.backgroundDeduplicated,
  };
  if (answered > 0) out['dedupe.hitRate'] = out['dedupe.hits']! / answered;
  if (serverAll > 0) out['dedupe.server.hitRate'] = out['dedupe.server.hits']! / serverAll;
  for (const [name, h] of [
    ['executed', tally.executedLatency],
    ['deduplicated', tally.deduplicatedLatency],
  ] as const) {
    if (h.count === 0) continue;
    const s = h.summary();
    Object.assign(out, {
      [`dedupe.${name}.latency.p50Ms`]: s.p50Ms,
      [`dedupe.${name}.latency.p99Ms`]: s.p99Ms,
      [`dedupe.${name}.latency.maxMs`]: s.maxMs,
    });
  }
  return out;
}

/** Wraps a client so every 200 answer's `lastName` is checked against the one the last PUT wrote. */
function freshnessChecked(
  inner: HttpClient,
  expected: () => string | undefined,
  onStale: () => void,
): HttpClient {
  return {
    ...inner,
    async request(spec: HttpRequestSpec) {
      const response = await inner.request(spec);
      const want = expected();
      if (want !== undefined && response.status === 200) {
        const lastName = (JSON.parse(response.body) as { lastName?: string }).lastName;
        if (lastName !== want) onStale();
      }
      return response;
    },
  };
}

async function createStudent(ctx: ScenarioContext, tag: string): Promise<string> {
  const created = await ctx.api.json<{ id?: string }>({
    method: 'POST',
    path: '/api/students',
    body: { firstName: 'Burst', lastName: 'Key', email: `lab-${ctx.runId}-${tag}@example.test` },
  });
  ctx.countResponse(created.status, created.deduplicated);
  if (created.status !== 201 || !created.data?.id)
    throw new Error(`creating a burst key answered HTTP ${created.status}: ${created.body.slice(0, 200)}`);
  return String(created.data.id);
}

async function putLastName(ctx: ScenarioContext, id: string, lastName: string, tag: string): Promise<void> {
  const response = await ctx.api.request({
    method: 'PUT',
    path: `/api/students/${id}`,
    body: { firstName: 'Burst', lastName, email: `lab-${ctx.runId}-${tag}@example.test` },
  });
  ctx.countResponse(response.status, response.deduplicated);
  if (response.status !== 200)
    throw new Error(`PUT ${id} answered HTTP ${response.status}: ${response.body.slice(0, 200)}`);
}

/** A seeded uuid-shaped cursor, so every background list request is distinct. */
function cursorOf(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Background of distinct GETs (list pages, each with its own cursor) at `--rate` until `stop`
 * aborts. List reads are `db_queries_total{operation="list"}` and never touch the student cache,
 * so they cannot blur the per-wave backend reads of the student route.
 */
function startBackground(ctx: ScenarioContext, tally: PhaseTally, stop: AbortSignal): Promise<unknown> {
  if (ctx.options.rate <= 0) return Promise.resolve();
  return runUntilAborted({
    client: ctx.api,
    ratePerSec: ctx.options.rate,
    signal: AbortSignal.any([ctx.signal, stop]),
    request: (seq) => ({ path: `/api/students?limit=${1 + (seq % 20)}&cursor=${cursorOf(ctx.random)}` }),
    onResponse(event) {
      tally.backgroundRequests += 1;
      if (event.response?.deduplicated) tally.backgroundDeduplicated += 1;
      ctx.recordLatency(event.latencyUs, event.intendedAtUs / 1000);
      ctx.countResponse(
        event.response?.status ?? 0,
        event.response?.deduplicated ?? false,
        event.intendedAtUs / 1000,
      );
    },
  });
}

/** Runs `--waves` waves of `--wave-size` identical GETs of one kind, with the background running. */
export async function runBurstPhase(ctx: ScenarioContext, kind: BurstKind): Promise<void> {
  const size = Number(ctx.options.waveSize);
  const waves = Number(ctx.options.waves);
  const pauseMs = Number(ctx.options.wavePauseMs);
  const phase = ctx.phase;
  const tally = newTally();
  const stopBackground = new AbortController();
  const background = startBackground(ctx, tally, stopBackground.signal);
  let expectedLastName: string | undefined;
  let stale = 0;
  const client = freshnessChecked(
    ctx.httpClient(ctx.target.apiUrl, size),
    () => expectedLastName,
    () => (stale += 1),
  );
  try {
    const keys = kind === 'cold' ? await coldKeys(ctx, phase, waves) : [await warmKey(ctx, phase, kind)];
    for (let i = 0; i < waves && !ctx.signal.aborted; i++) {
      const id = keys[Math.min(i, keys.length - 1)] ?? '';
      if (kind === 'invalidated') {
        expectedLastName = `Invalidated ${i}`;
        const handled = await settledCount(ctx);
        await putLastName(ctx, id, expectedLastName, `${phase}-hot`);
        await waitForWorker(ctx, handled, 1);
      }
      stale = 0;
      const before = await apiCounters(ctx);
      const wave = await ctx.wave(size, { path: `/api/students/${id}` }, client);
      const after = await apiCounters(ctx);
      tally.executedLatency.merge(wave.executedLatency);
      tally.deduplicatedLatency.merge(wave.deduplicatedLatency);
      tally.waves.push({
        sent: wave.sent,
        ok: wave.statuses['200'] ?? 0,
        clientHits: wave.deduplicated,
        answered: wave.deduplicated + wave.executed,
        serverHits: after.hits - before.hits,
        serverExecuted: after.executed - before.executed,
        dbReads: after.db - before.db,
        cacheReads: after.cache - before.cache,
        cacheErrors: after.cacheErrors - before.cacheErrors,
        stale,
      });
      if (pauseMs > 0) await sleep(pauseMs);
    }
  } finally {
    stopBackground.abort();
    await background.catch((error: Error) => ctx.note(`${phase}: background GETs failed: ${error.message}`));
  }
  const metrics = phaseMetrics(tally, 1);
  for (const [name, value] of Object.entries(metrics)) ctx.metric(phaseMetricName(phase, name), value);
  ctx.note(describePhase(phase, metrics));
}

/** Creates the cold keys (never read), then lets the worker's re-cache of each settle. */
async function coldKeys(ctx: ScenarioContext, phase: string, count: number): Promise<string[]> {
  const handled = await settledCount(ctx);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await createStudent(ctx, `${phase}-${i}`));
  await waitForWorker(ctx, handled, count, 15_000 + count * 500);
  return ids;
}

/** A key read once before its waves (hot) — the invalidated kind PUTs it before each wave. */
async function warmKey(ctx: ScenarioContext, phase: string, kind: BurstKind): Promise<string> {
  const handled = await settledCount(ctx);
  const id = await createStudent(ctx, `${phase}-hot`);
  if (kind === 'invalidated') await putLastName(ctx, id, 'Warm', `${phase}-hot`);
  await waitForWorker(ctx, handled, kind === 'invalidated' ? 2 : 1);
  const warm = await ctx.api.request({ path: `/api/students/${id}` });
  ctx.countResponse(warm.status, warm.deduplicated);
  return id;
}

function describePhase(phase: string, m: Record<string, number>): string {
  const f = (v: number | undefined, digits = 3): string => (v === undefined ? '-' : v.toFixed(digits));
  return (
    `${phase}: ${m['dedupe.waves']} waves, client hit rate ${f(m['dedupe.hitRate'])} vs server ${f(m['dedupe.server.hitRate'])} ` +
    `(mismatch ${m['dedupe.clientServerMismatch']}), backend reads/wave max ${m['dedupe.backendReadsPerWave.max']} ` +
    `(db ${m['dedupe.dbReadsPerWave.max']}, redis ${m['dedupe.cacheReadsPerWave.max']}, redis errors ${m['dedupe.cacheErrorsPerWave.max']}), ` +
    `executed p99 ${f(m['dedupe.executed.latency.p99Ms'], 1)} ms, de-duplicated p99 ${f(m['dedupe.deduplicated.latency.p99Ms'], 1)} ms, ` +
    `errors ${m['dedupe.errors']}, stale ${m['dedupe.staleResponses']}`
  );
}

/**
 * Run-wide figures from the per-phase ones: `dedupe.hitRate` and `dedupe.server.hitRate` over every
 * wave, the largest backend reads of any wave, total mismatches, errors and stale answers.
 */
export function aggregateBurstMetrics(metrics: Readonly<Record<string, number>>): Record<string, number> {
  const phases = Object.keys(metrics)
    .filter((k) => k.startsWith('phase.') && k.endsWith('.dedupe.waves'))
    .map((k) => k.slice('phase.'.length, -'.dedupe.waves'.length));
  const of = (name: string): number[] => phases.map((p) => metrics[phaseMetricName(p, name)] ?? 0);
  const answered = sum(of('dedupe.answered'));
  const serverAll = sum(of('dedupe.server.hits')) + sum(of('dedupe.server.executed'));
  const out: Record<string, number> = {
    'dedupe.waves': sum(of('dedupe.waves')),
    'dedupe.backendReadsPerWave.max': max(of('dedupe.backendReadsPerWave.max')),
    'dedupe.dbReadsPerWave.max': max(of('dedupe.dbReadsPerWave.max')),
    'dedupe.cacheReadsPerWave.max': max(of('dedupe.cacheReadsPerWave.max')),
    'dedupe.cacheErrorsPerWave.max': max(of('dedupe.cacheErrorsPerWave.max')),
    'dedupe.clientServerMismatch': sum(of('dedupe.clientServerMismatch')),
    'dedupe.errors': sum(of('dedupe.errors')),
    'dedupe.staleResponses': sum(of('dedupe.staleResponses')),
    'dedupe.background.deduplicated': sum(of('dedupe.background.deduplicated')),
  };
  if (answered > 0) out['dedupe.hitRate'] = sum(of('dedupe.hits')) / answered;
  if (serverAll > 0) out['dedupe.server.hitRate'] = sum(of('dedupe.server.hits')) / serverAll;
  return out;
}
