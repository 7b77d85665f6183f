import { setTimeout as sleep } from 'node:timers/promises';
import { metricNames } from '../contracts/service-metrics.ts';
import {
  phaseMetricName,
  createLatencyHistogram,
  sumSamples,
  type WritersResult,
  type FixedRateResponse,
  type PromSample,
  type ScenarioContext,
  type ServiceName,
} from '../lab/index.ts';

/** Helpers shared by the broker and Redis outage scenarios: a fine-grained poller, writers, delivery. */

const stateNames = ['closed', 'open', 'half-open'] as const;
export type BreakerState = (typeof stateNames)[number];

/** One poll of the API and worker `/metrics`. */
export interface PollPoint {
  atMs: number;
  /** `<service>.<breaker>` → state. */
  breakers: Record<string, BreakerState>;
  /** `amqp_publish_failures_total` of the API (all labels). */
  apiPublishFailures: number;
  /** `outbox_pending_messages` of the API and the worker. */
  apiPending: number;
  workerPending: number;
}

function breakersOf(
  service: ServiceName,
  samples: readonly PromSample[],
  into: Record<string, BreakerState>,
): void {
  for (const s of samples) {
    if (s.name !== metricNames.breakerState) continue;
    const state = stateNames[s.value];
    if (state) into[`${service}.${s.labels.breaker ?? 'default'}`] = state;
  }
}

export interface Poller {
  points(): readonly PollPoint[];
  stop(): Promise<void>;
}

/** Polls the API and worker metrics every `intervalMs` (breaker state, publish failures, outbox depth). */
export function startPoller(ctx: ScenarioContext, intervalMs = 200): Poller {
  const points: PollPoint[] = [];
  let running = true;
  const loop = (async () => {
    while (running && !ctx.signal.aborted) {
      const started = Date.now();
      const [api, worker] = await Promise.all([
        ctx.scrape('api').catch(() => undefined),
        ctx.scrape('worker').catch(() => undefined),
      ]);
      if (api) {
        const breakers: Record<string, BreakerState> = {};
        breakersOf('api', api, breakers);
        if (worker) breakersOf('worker', worker, breakers);
        points.push({
          atMs: Date.now(),
          breakers,
          apiPublishFailures: sumSamples(api, metricNames.publishFailures) ?? 0,
          apiPending: sumSamples(api, metricNames.outboxPending) ?? 0,
          workerPending: worker ? (sumSamples(worker, metricNames.outboxPending) ?? 0) : 0,
        });
      }
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
  })();
  return {
    points: () => points,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Intervals during which `breaker` was sampled open (from one open sample to the next non-open one). */
export function openIntervals(points: readonly PollPoint[], breaker: string): [number, number][] {
  // From the first to the last sample that saw the breaker open: between that last sample and the
  // next one the breaker may already have closed, so writes there are not known to meet an open one.
  const out: [number, number][] = [];
  let interval: [number, number] | undefined;
  for (const p of points) {
    if (p.breakers[breaker] === 'open') {
      if (interval) interval[1] = p.atMs;
      else interval = [p.atMs, p.atMs];
    } else if (interval) {
      out.push(interval);
      interval = undefined;
    }
  }
  if (interval) out.push(interval);
  return out;
}

export interface BreakerTimeline {
  /** First publish failure seen after the fault (poll resolution). */
  firstFailureMs?: number;
  openedMs?: number;
  closedMs?: number;
}

/** Breaker `breaker` around a fault applied at `appliedMs` and rolled back at `rolledBackMs`. */
export function breakerTimeline(
  points: readonly PollPoint[],
  breaker: string,
  appliedMs: number,
  rolledBackMs: number | undefined,
): BreakerTimeline {
  const before =
    points.filter((p) => p.atMs <= appliedMs).at(-1)?.apiPublishFailures ??
    points[0]?.apiPublishFailures ??
    0;
  const after = points.filter((p) => p.atMs >= appliedMs);
  const firstFailureMs = after.find((p) => p.apiPublishFailures > before)?.atMs;
  const openedMs = after.find((p) => p.breakers[breaker] === 'open')?.atMs;
  const closedMs =
    openedMs !== undefined && rolledBackMs !== undefined
      ? after.find((p) => p.atMs >= Math.max(openedMs, rolledBackMs) && p.breakers[breaker] === 'closed')
          ?.atMs
      : undefined;
  return {
    ...(firstFailureMs !== undefined ? { firstFailureMs } : {}),
    ...(openedMs !== undefined ? { openedMs } : {}),
    ...(closedMs !== undefined ? { closedMs } : {}),
  };
}

/** First poll at or after `fromMs` where both outboxes are back to `baseline` messages or fewer. */
export function drainedAt(
  points: readonly PollPoint[],
  fromMs: number,
  baseline: number,
): number | undefined {
  return points.find((p) => p.atMs >= fromMs && p.apiPending <= baseline && p.workerPending <= baseline)
    ?.atMs;
}

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

/** Expected notifications caused by writes sent in phases whose name starts with `prefix`. */
export function expectedOf(ctx: ScenarioContext, prefix: string): [string, number][] {
  return ctx.expectedNotifications().filter(([, us]) => ctx.phaseAt(us / 1000).startsWith(prefix));
}

export interface DeliveryCheck {
  expected: number;
  delivered: number;
  missing: number;
  duplicated: number;
  /** Accepted writes none of whose notifications reached any listener. */
  lost: number;
  accepted: number;
  latencyP99Ms?: number;
}

/** Delivery of `expected` over every listener of the run (first fleet). */
export async function checkDelivery(
  ctx: ScenarioContext,
  expected: readonly [string, number][],
): Promise<DeliveryCheck | undefined> {
  const fleet = ctx.fleets()[0];
  if (!fleet) return undefined;
  const analysis = await fleet.analyze(expected);
  const totals = Object.values(analysis.byTransport).map((t) => t.totals);
  const ids = new Set(expected.map(([key]) => key.slice(key.indexOf(':') + 1)));
  const reached = new Set([...analysis.reached].map((key) => key.slice(key.indexOf(':') + 1)));
  return {
    expected: expected.length * fleet.total,
    delivered: totals.reduce((s, t) => s + t.received, 0),
    missing: totals.reduce((s, t) => s + t.missing, 0),
    duplicated: totals.reduce((s, t) => s + t.duplicated, 0),
    accepted: ids.size,
    lost: [...ids].filter((id) => !reached.has(id)).length,
    ...(analysis.latency.count > 0 ? { latencyP99Ms: analysis.latency.summary().p99Ms } : {}),
  };
}

/** Polls {@link checkDelivery} until nothing is missing or `timeoutMs` passes; the last check. */
export async function waitForDelivery(
  ctx: ScenarioContext,
  prefix: string,
  timeoutMs: number,
): Promise<DeliveryCheck | undefined> {
  const until = Date.now() + timeoutMs;
  let last: DeliveryCheck | undefined;
  while (!ctx.signal.aborted) {
    last = await checkDelivery(ctx, expectedOf(ctx, prefix));
    if (!last || last.missing === 0 || Date.now() > until) return last;
    await sleep(1000);
  }
  return last;
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

/** Per-run state of a scenario, keyed by its context (one context per run). */
export function perRun<T>(create: () => T): (ctx: ScenarioContext) => T {
  const states = new WeakMap<ScenarioContext, T>();
  return (ctx) => {
    let state = states.get(ctx);
    if (!state) states.set(ctx, (state = create()));
    return state;
  };
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
  state.poller = startPoller(ctx, pollIntervalMs);
  state.writers = ctx.writers({
    kind: 'create',
    ratePerSec: ctx.options.rate,
    durationMs,
    onResponse: recordWrite(state.writes),
  });
  state.writers.catch(() => undefined);
}
