import { setTimeout as sleep } from 'node:timers/promises';
import { notificationsCausedBy } from '../contracts/causality.ts';
import { metricNames } from '../contracts/service-metrics.ts';
import {
  breakersAroundFault,
  costPerWrite,
  settledCostSnapshot,
  latestBreakerStates,
  resultMetrics,
  sumSamples,
  type ScenarioContext,
} from '../lab/index.ts';

/** Helpers of the smoke scenario, kept apart so smoke.ts reads as data. */

interface Step {
  method: string;
  path: string;
  body?: unknown;
  expect: number;
  /** Notifications the step should cause (every listener gets them). */
  notifies?: readonly string[];
}

/** Creates, reads, updates, lists and deletes one student; sets `crud.ok` (1 when every status was right). */
export async function crudOnce(ctx: ScenarioContext): Promise<void> {
  const tag = `${ctx.runId}-crud`;
  const email = `lab-${tag}@example.test`;
  let id = '';
  const steps = (): Step[] => [
    {
      method: 'POST',
      path: '/api/students',
      body: { firstName: 'Smoke', lastName: 'Test', email },
      expect: 201,
      notifies: ['student.created', 'student.cached'],
    },
    { method: 'GET', path: `/api/students/${id}`, expect: 200 },
    {
      method: 'PUT',
      path: `/api/students/${id}`,
      body: { firstName: 'Smoke', lastName: 'Updated', email },
      expect: 200,
      notifies: ['student.updated', 'student.cached'],
    },
    { method: 'GET', path: '/api/students?limit=5', expect: 200 },
    { method: 'DELETE', path: `/api/students/${id}`, expect: 204, notifies: ['student.deleted'] },
    { method: 'GET', path: `/api/students/${id}`, expect: 404 },
  ];
  let ok = 1;
  for (let i = 0; i < 6; i++) {
    const step = steps()[i];
    if (!step) break;
    const correlationId = `${tag}-${i}`;
    const response = await ctx.api.json<{ id?: string }>({
      method: step.method,
      path: step.path,
      body: step.body,
      headers: { 'x-correlation-id': correlationId },
    });
    ctx.countResponse(response.status, response.deduplicated);
    ctx.recordLatency(response.finishedAtUs - response.startedAtUs, response.startedAtUs / 1000);
    if (i === 0 && response.data?.id) id = String(response.data.id);
    if (response.status !== step.expect) {
      ok = 0;
      ctx.note(
        `crud: ${step.method} ${step.path} answered ${response.status}, expected ${step.expect}: ${response.body.slice(0, 200)}`,
      );
      if (!id) break;
    } else {
      for (const type of step.notifies ?? [])
        ctx.expectNotification(type, correlationId, response.startedAtUs);
      // Let the worker handle the write before the next one, so DELETE never races student.created.
      if (step.notifies) await waitForDeliveries(ctx, 10_000);
    }
  }
  ctx.metric('crud.ok', ok);
}

/**
 * What a write costs, exactly: `writes` creates one at a time on an otherwise quiet system, each
 * waited for until every listener has its notifications, between two settled scrapes of every
 * service's cost counters. One at a time, so the worker never groups messages into one
 * transaction and every figure is the same in every run of the same build.
 */
export async function measureWriteCosts(ctx: ScenarioContext, writes: number): Promise<void> {
  const before = await settledCostSnapshot((s) => ctx.scrape(s));
  if (!before) {
    ctx.note('cost: the services’ counters did not settle before the writes; no cost figures');
    return;
  }
  let accepted = 0;
  for (let i = 0; i < writes && !ctx.signal.aborted; i++) {
    const correlationId = `${ctx.runId}-cost-${i}`;
    const response = await ctx.api.json({
      method: 'POST',
      path: '/api/students',
      body: { firstName: 'Cost', lastName: `Write${i}`, email: `lab-${correlationId}@example.test` },
      headers: { 'x-correlation-id': correlationId },
    });
    ctx.countResponse(response.status, response.deduplicated);
    if (response.status !== 201) {
      ctx.note(`cost: write ${i} answered ${response.status}; no cost figures`);
      return;
    }
    accepted++;
    for (const type of notificationsCausedBy['student.created'])
      ctx.expectNotification(type, correlationId, response.startedAtUs);
    await waitForDeliveries(ctx, 10_000);
  }
  const after = await settledCostSnapshot((s) => ctx.scrape(s));
  if (!after) {
    ctx.note('cost: the services’ counters did not settle after the writes; no cost figures');
    return;
  }
  for (const [name, value] of Object.entries(costPerWrite(before, after, accepted))) ctx.metric(name, value);
}

const dedupeOutcomes = async (
  ctx: ScenarioContext,
): Promise<{ hits: number; all: number; db: number; l2: number }> => {
  const samples = await ctx.scrape('api').catch(() => []);
  const of = (outcome: string): number => sumSamples(samples, metricNames.dedupeRequests, { outcome }) ?? 0;
  const l2 = (result: string): number =>
    sumSamples(samples, metricNames.cacheRequests, { level: 'l2', result }) ?? 0;
  return {
    hits: of('coalesced') + of('cached'),
    all: sumSamples(samples, metricNames.dedupeRequests) ?? 0,
    db: sumSamples(samples, metricNames.dbQueries, { operation: 'get' }) ?? 0,
    l2: l2('hit') + l2('miss'),
  };
};

/** Backend reads between two scrapes, as the lab counts them: a load that misses Redis and reads the database counts once. */
const backendReads = (before: { db: number; l2: number }, after: { db: number; l2: number }): number =>
  Math.max(after.db - before.db, after.l2 - before.l2);

/**
 * A wave of identical GETs on a fresh student, then the same wave again: client- and server-side
 * hit rates, and backend reads per burst. The waves start once the worker has cached the student
 * (its `student.cached` reached every listener), so the reads they cause are the same every run.
 */
export async function dedupeBurst(ctx: ScenarioContext): Promise<void> {
  const size = Number(ctx.options.burstSize);
  const correlationId = `${ctx.runId}-burst`;
  const created = await ctx.api.json<{ id?: string }>({
    method: 'POST',
    path: '/api/students',
    body: { firstName: 'Burst', lastName: 'Key', email: `lab-${ctx.runId}-burst@example.test` },
    headers: { 'x-correlation-id': correlationId },
  });
  ctx.countResponse(created.status, created.deduplicated);
  if (created.status !== 201 || !created.data?.id) {
    ctx.note(`burst: could not create the student (HTTP ${created.status})`);
    return;
  }
  for (const type of notificationsCausedBy['student.created'])
    ctx.expectNotification(type, correlationId, created.startedAtUs);
  await waitForDeliveries(ctx, 10_000);
  const before = await dedupeOutcomes(ctx);
  const client = ctx.httpClient(ctx.target.apiUrl, size);
  const spec = { path: `/api/students/${created.data.id}` };
  // A cold wave, then the same wave again once it has been answered: coalescing alone can only
  // catch requests that overlap an execution (how many depends on timing), the response cache also
  // answers the second wave, so the two configurations differ in every run, not only on a fast one.
  const wave = await ctx.wave(size, spec, client);
  const between = await dedupeOutcomes(ctx);
  const again = await ctx.wave(size, spec, client);
  const after = await dedupeOutcomes(ctx);
  ctx.metric('dedupe.hitRate', (wave.hitRate + again.hitRate) / 2);
  ctx.metric('dedupe.cold.hitRate', wave.hitRate);
  ctx.metric('dedupe.repeat.hitRate', again.hitRate);
  ctx.metric('dedupe.executed', wave.executed);
  ctx.metric('dedupe.wave.ok', wave.statuses['200'] ?? 0);
  if (after.all > before.all)
    ctx.metric('dedupe.server.hitRate', (after.hits - before.hits) / (after.all - before.all));
  const reads = [backendReads(before, between), backendReads(between, after)];
  ctx.metric('dedupe.backendReadsPerWave.max', Math.max(...reads));
  ctx.metric('dedupe.backendReadsPerBurst', reads[0]! + reads[1]!);
  ctx.metric('dedupe.deduplicated.latency.p99Ms', wave.deduplicatedLatency.summary().p99Ms);
  ctx.metric('dedupe.executed.latency.p99Ms', wave.executedLatency.summary().p99Ms);
}

/** Waits until every expected notification reached every listener (or `timeoutMs`). */
export async function waitForDeliveries(ctx: ScenarioContext, timeoutMs: number): Promise<void> {
  await waitForRecovery(ctx, timeoutMs, false);
}

/** Waits until every expected notification reached every listener and every breaker is closed (or `timeoutMs`). */
export async function waitForRecovery(
  ctx: ScenarioContext,
  timeoutMs: number,
  needClosedBreakers = true,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !ctx.signal.aborted) {
    let receipts = 0;
    let listeners = 0;
    for (const fleet of ctx.fleets()) {
      const c = fleet.counters();
      receipts += c.sse.receipts + c.socketio.receipts;
      listeners += fleet.total;
    }
    if (
      receipts >= ctx.expectedNotifications().length * listeners &&
      (!needClosedBreakers || breakersClosed(ctx))
    )
      return;
    await sleep(250);
  }
}

function breakersClosed(ctx: ScenarioContext): boolean {
  return [...latestBreakerStates(ctx.breakerTimeline()).values()].every((state) => state === 'closed');
}

/**
 * Around `fault`: `breaker.opened` (1 when any breaker opened), `breaker.closedAtEnd` (1 when every
 * breaker is closed at the end), and `breaker.timeToOpenMs` / `breaker.timeToCloseMs` as the lab
 * defines them for every scenario (fault applied → first open; rolled back → closed again).
 */
export function breakerMetrics(ctx: ScenarioContext, fault: string): void {
  const samples = ctx.breakerTimeline();
  const around = breakersAroundFault(samples, ctx.faultTimes(fault));
  const latest = latestBreakerStates(samples);
  ctx.metric('breaker.opened', around.openedMs !== undefined ? 1 : 0);
  ctx.metric(
    'breaker.closedAtEnd',
    latest.size > 0 && [...latest.values()].every((s) => s === 'closed') ? 1 : 0,
  );
  if (around.timeToOpenMs !== undefined) ctx.metric(resultMetrics.breakerTimeToOpenMs, around.timeToOpenMs);
  if (around.timeToCloseMs !== undefined)
    ctx.metric(resultMetrics.breakerTimeToCloseMs, around.timeToCloseMs);
}
