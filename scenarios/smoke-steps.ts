import { setTimeout as sleep } from 'node:timers/promises';
import { metricNames } from '../contracts/service-metrics.ts';
import {
  breakersAroundFault,
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

const dedupeOutcomes = async (ctx: ScenarioContext): Promise<{ hits: number; all: number; db: number }> => {
  const samples = await ctx.scrape('api').catch(() => []);
  const of = (outcome: string): number => sumSamples(samples, metricNames.dedupeRequests, { outcome }) ?? 0;
  return {
    hits: of('coalesced') + of('cached'),
    all: sumSamples(samples, metricNames.dedupeRequests) ?? 0,
    db: sumSamples(samples, metricNames.dbQueries) ?? 0,
  };
};

/** A wave of identical GETs on a fresh student: client- and server-side hit rates, backend reads. */
export async function dedupeBurst(ctx: ScenarioContext): Promise<void> {
  const size = Number(ctx.options.burstSize);
  const created = await ctx.api.json<{ id?: string }>({
    method: 'POST',
    path: '/api/students',
    body: { firstName: 'Burst', lastName: 'Key', email: `lab-${ctx.runId}-burst@example.test` },
  });
  ctx.countResponse(created.status, created.deduplicated);
  if (created.status !== 201 || !created.data?.id) {
    ctx.note(`burst: could not create the student (HTTP ${created.status})`);
    return;
  }
  const before = await dedupeOutcomes(ctx);
  const client = ctx.httpClient(ctx.target.apiUrl, size);
  const spec = { path: `/api/students/${created.data.id}` };
  // A cold wave, then the same wave again once it has been answered: coalescing alone can only
  // catch requests that overlap an execution (how many depends on timing), the response cache also
  // answers the second wave, so the two configurations differ in every run, not only on a fast one.
  const wave = await ctx.wave(size, spec, client);
  const after = await dedupeOutcomes(ctx);
  const again = await ctx.wave(size, spec, client);
  ctx.metric('dedupe.hitRate', (wave.hitRate + again.hitRate) / 2);
  ctx.metric('dedupe.cold.hitRate', wave.hitRate);
  ctx.metric('dedupe.repeat.hitRate', again.hitRate);
  ctx.metric('dedupe.executed', wave.executed);
  ctx.metric('dedupe.wave.ok', wave.statuses['200'] ?? 0);
  if (after.all > before.all)
    ctx.metric('dedupe.server.hitRate', (after.hits - before.hits) / (after.all - before.all));
  ctx.metric('dedupe.backendReadsPerWave.max', after.db - before.db);
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
