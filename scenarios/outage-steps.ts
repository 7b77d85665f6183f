import { routes, studentPath } from '../contracts/http.ts';
import {
  createLatencyHistogram,
  phaseMetricName,
  runUntilAborted,
  startOutboxPoller,
  studentBody,
  type FixedRateResponse,
  type Poller,
  type ScenarioContext,
  type WritersResult,
} from '../lab/index.ts';

/** Helpers shared by the broker and Redis outage scenarios: their background writes and how to report them. */

/** Every write's outcome, for success rates and latencies by time window. */
export interface WriteRecord {
  intendedAtMs: number;
  latencyMs: number;
  status: number;
}

export function recordWrite(into: WriteRecord[]): (event: FixedRateResponse) => void {
  return (event) =>
    into.push({
      intendedAtMs: event.intendedAtUs / 1000,
      latencyMs: event.latencyUs / 1000,
      status: event.response?.status ?? 0,
    });
}

/** Count, success rate and latency percentiles of `writes` (names relative to `prefix`). */
export function writeMetrics(prefix: string, writes: readonly WriteRecord[]): Record<string, number> {
  const out: Record<string, number> = { [`${prefix}.count`]: writes.length };
  if (writes.length === 0) return out;
  const h = createLatencyHistogram();
  let ok = 0;
  let unavailable = 0;
  for (const w of writes) {
    h.record(Math.max(1, Math.round(w.latencyMs * 1000)));
    if (w.status >= 200 && w.status < 300) ok += 1;
    if (w.status === 503) unavailable += 1;
  }
  const s = h.summary();
  Object.assign(out, {
    [`${prefix}.successRate`]: ok / writes.length,
    [`${prefix}.status503`]: unavailable,
    [`${prefix}.p50Ms`]: s.p50Ms,
    [`${prefix}.p99Ms`]: s.p99Ms,
    [`${prefix}.maxMs`]: s.maxMs,
  });
  return out;
}

/**
 * Where a variant's own figures go: `variant.<variant>.<metric>`. (Not `phase.<p>.…`: the engine
 * files `phase.<p>.notifications.*` by the phase of the causing write, a different question.)
 */
export function variantMetricName(variant: string, metric: string): string {
  return `variant.${variant}.${metric}`;
}

/** Sets `phase.<phase>.<name>` for every entry. */
export function setPhaseMetrics(
  ctx: ScenarioContext,
  phase: string,
  values: Record<string, number | undefined>,
): void {
  for (const [name, value] of Object.entries(values))
    if (value !== undefined) ctx.metric(phaseMetricName(phase, name), value);
}

/** What a fault scenario keeps while its background load runs. */
export interface OutageLoad {
  poller?: Poller;
  writers?: Promise<WritersResult>;
  writes: WriteRecord[];
}

/**
 * Starts the metrics poller and `--rate` create writers for `durationMs` (steady + fault + after),
 * recording every write into `state.writes`.
 */
export function startOutageLoad(
  ctx: ScenarioContext,
  state: OutageLoad,
  durationMs: number,
  pollIntervalMs?: number,
): void {
  state.poller = startOutboxPoller(ctx, pollIntervalMs);
  state.writers = ctx.writers({
    kind: 'create',
    ratePerSec: ctx.options.rate,
    durationMs,
    onResponse: recordWrite(state.writes),
  });
  state.writers.catch(() => undefined);
}

/** Seeded students read at a fixed rate while a fault scenario's writes run. */
export interface ReadLoad {
  ids: string[];
  readRecords: WriteRecord[];
  reads?: Promise<unknown>;
}

/** Creates `count` students to read during the run (before the first phase). */
export async function seedStudents(ctx: ScenarioContext, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await ctx.api.json<{ id?: string }>({
      method: 'POST',
      path: routes.students,
      body: studentBody(`${ctx.runId}-read-${i}`),
    });
    if (created.status === 201 && created.data?.id) ids.push(String(created.data.id));
  }
  return ids;
}

/** GETs of the seeded students at `ratePerSec` until `signal` aborts, recorded and counted. */
export function startReads(
  ctx: ScenarioContext,
  state: ReadLoad,
  ratePerSec: number,
  signal: AbortSignal,
): void {
  const record = recordWrite(state.readRecords);
  state.reads = runUntilAborted({
    client: ctx.api,
    ratePerSec,
    signal: AbortSignal.any([ctx.signal, signal]),
    request: (seq) => ({ path: studentPath(state.ids[seq % state.ids.length] ?? '') }),
    onResponse(event) {
      record(event);
      const atMs = event.intendedAtUs / 1000;
      ctx.recordLatency(event.latencyUs, atMs);
      ctx.countResponse(event.response?.status ?? 0, event.response?.deduplicated ?? false, atMs);
    },
  });
  state.reads.catch(() => undefined);
}
