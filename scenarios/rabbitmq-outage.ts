import { setTimeout as sleep } from 'node:timers/promises';
import {
  setPhaseMetrics,
  writeMetrics,
  type OutageLoad,
  type WriteRecord,
  variantMetricName,
  startOutageLoad,
} from './outage-steps.ts';
import { connectListeners, servicesReady } from './common-steps.ts';
import {
  resultMetrics,
  defineScenario,
  breakersAroundFault,
  drainedAt,
  firstPublishFailureAfter,
  latestBreakerStates,
  openIntervals,
  waitForDelivery,
  type BreakerSample,
  type Gate,
  type RunOptions,
  type ScenarioContext,
  type Variant,
} from '../lab/index.ts';

const publishModes = ['outbox', 'direct'] as const;
const faultKinds = ['refused', 'partition'] as const;
/** The API's AMQP breaker as the lab's samplers name it. */
const apiBreaker = 'api.amqp';

/** `--publish-mode` × `--fault` (each `both` by default): `outbox-refused`, `outbox-partition`, … */
export function outageVariants(options: RunOptions): Variant[] {
  const pick = <T extends string>(value: unknown, all: readonly T[]): readonly T[] =>
    value === 'both' ? all : all.filter((v) => v === value);
  return pick(options.publishMode, publishModes).flatMap((mode) =>
    pick(options.fault, faultKinds).map((fault) => ({
      name: `${mode}-${fault}`,
      env: { api: { PUBLISH_MODE: mode } },
    })),
  );
}

export function outageGates(options: RunOptions): Gate[] {
  return outageVariants(options).flatMap((v): Gate[] => {
    const cut = `${v.name}-cut`;
    const recovery = `${v.name}-recovery`;
    const common: Gate[] = [
      {
        name: `${v.name}: breaker opens within 2 s of the first failures`,
        phase: cut,
        metric: 'breaker.firstFailureToOpenMs',
        op: '<=',
        threshold: 2000,
      },
      {
        name: `${v.name}: breaker closes again after recovery`,
        phase: recovery,
        metric: 'breaker.closed',
        op: '==',
        threshold: 1,
      },
    ];
    if (v.name.startsWith('direct')) {
      return [
        ...common,
        {
          name: `${v.name}: writes answered while open: 503 within 50 ms p99`,
          phase: cut,
          metric: 'writes.whileOpen.p99Ms',
          op: '<=',
          threshold: 50,
        },
        {
          name: `${v.name}: every write while open is a 503`,
          phase: cut,
          metric: 'writes.whileOpen.non503',
          op: '==',
          threshold: 0,
        },
      ];
    }
    return [
      ...common,
      {
        name: `${v.name}: every write is accepted during the cut`,
        phase: cut,
        metric: 'writes.successRate',
        op: '==',
        threshold: 1,
      },
      {
        name: `${v.name}: no accepted write is lost`,
        metric: variantMetricName(v.name, resultMetrics.eventsLost),
        op: '==',
        threshold: 0,
      },
      {
        name: `${v.name}: every listener gets every notification`,
        metric: variantMetricName(v.name, 'notifications.missing'),
        op: '==',
        threshold: 0,
      },
      {
        name: `${v.name}: backlog drained within 10 s of recovery`,
        phase: recovery,
        metric: resultMetrics.backlogDrainMs,
        op: '<=',
        threshold: 10_000,
      },
    ];
  });
}

/** Each variant's load, keyed by variant name: the variants of one run share its state. */
type RunState = Map<string, OutageLoad>;

const loadOf = (ctx: ScenarioContext, state: RunState): OutageLoad => {
  const key = ctx.variant ?? '';
  let load = state.get(key);
  if (!load) state.set(key, (load = { writes: [] }));
  return load;
};

const cutMs = (o: RunOptions): number => Number(o.cutSec) * 1000;
const afterMs = (o: RunOptions): number => Number(o.afterSec) * 1000;

function steady(ctx: ScenarioContext, run: RunState): Promise<void> {
  startOutageLoad(ctx, loadOf(ctx, run), ctx.options.durationMs + cutMs(ctx.options) + afterMs(ctx.options));
  return Promise.resolve();
}

/** Waits for the writers, the breaker, the outboxes and every listener; then measures the variant. */
async function recover(ctx: ScenarioContext, run: RunState): Promise<void> {
  const state = loadOf(ctx, run);
  const variant = ctx.variant ?? '';
  await state.writers?.catch((error: Error) => ctx.note(`${variant}: writers failed: ${error.message}`));
  const deadline = Date.now() + Number(ctx.options.recoveryTimeoutSec) * 1000;
  const delivery = await waitForDelivery(ctx, `${variant}-`, deadline - Date.now());
  // The breaker may close after the last write (a later trial call, a readiness probe): keep watching.
  const apiBreakerState = () => latestBreakerStates(ctx.breakerTimeline()).get(apiBreaker);
  while (apiBreakerState() !== 'closed' && Date.now() < deadline && !ctx.signal.aborted) await sleep(250);
  await state.poller?.stop();
  const points = state.poller?.points() ?? [];
  const { appliedMs, rolledBackMs } = ctx.faultTimes(`${variant}-rabbitmq-cut`);
  const steadyStart = ctx.phaseStartMs(`${variant}-steady`) ?? 0;
  const baseline = Math.max(
    0,
    ...points
      .filter((p) => p.atMs >= steadyStart && p.atMs < (appliedMs ?? 0))
      .map((p) => Math.max(p.apiPending, p.workerPending)),
  );
  const breakers = ctx.breakerTimeline();
  const around = breakersAroundFault(breakers, { appliedMs, rolledBackMs }, [apiBreaker]);
  const firstPublishFailureMs =
    appliedMs === undefined ? undefined : firstPublishFailureAfter(points, appliedMs);
  const cut = `${variant}-cut`;
  const recovery = `${variant}-recovery`;
  // First failures: a failed publish (outbox relay, any mode) or a write answered 5xx (direct mode).
  const firstFailedWrite = state.writes
    .filter((w) => appliedMs !== undefined && w.intendedAtMs >= appliedMs && w.status >= 500)
    .reduce((min, w) => Math.min(min, w.intendedAtMs + w.latencyMs), Infinity);
  const firstFailure = Math.min(firstPublishFailureMs ?? Infinity, firstFailedWrite);
  const since = Number.isFinite(firstFailure) ? firstFailure : appliedMs;
  setPhaseMetrics(ctx, cut, {
    [resultMetrics.breakerTimeToOpenMs]: around.timeToOpenMs,
    // How fast the breaker reacts once calls fail: a partition fails calls only at their timeout.
    'breaker.firstFailureToOpenMs':
      around.openedMs !== undefined && since !== undefined ? Math.max(0, around.openedMs - since) : undefined,
    'breaker.cutToFirstFailureMs':
      firstPublishFailureMs !== undefined && appliedMs !== undefined
        ? firstPublishFailureMs - appliedMs
        : undefined,
    'backlog.peak': Math.max(0, ...points.map((p) => Math.max(p.apiPending, p.workerPending))),
    ...cutWrites(state.writes, breakers, appliedMs, rolledBackMs),
  });
  const drained = rolledBackMs === undefined ? undefined : drainedAt(points, rolledBackMs, baseline);
  setPhaseMetrics(ctx, recovery, {
    [resultMetrics.breakerTimeToCloseMs]: around.timeToCloseMs,
    'breaker.closed': apiBreakerState() === 'closed' ? 1 : 0,
    [resultMetrics.backlogDrainMs]:
      variant.startsWith('outbox') && drained !== undefined && rolledBackMs !== undefined
        ? drained - rolledBackMs
        : undefined,
    'backlog.baseline': baseline,
  });
  const delivered: Record<string, number | undefined> = {
    [resultMetrics.eventsAccepted]: delivery?.accepted,
    [resultMetrics.eventsLost]: delivery?.lost,
    [resultMetrics.notificationsExpected]: delivery?.expected,
    [resultMetrics.notificationsDelivered]: delivery?.delivered,
    'notifications.missing': delivery?.missing,
    'notifications.duplicated': delivery?.duplicated,
    [resultMetrics.notificationsLatencyP99Ms]: delivery?.latencyP99Ms,
  };
  for (const [name, value] of Object.entries(delivered))
    if (value !== undefined) ctx.metric(variantMetricName(variant, name), value);
}

/** Writes sent during the cut, and those sent while the API's breaker was open. */
function cutWrites(
  writes: readonly WriteRecord[],
  breakers: readonly BreakerSample[],
  appliedMs?: number,
  rolledBackMs?: number,
): Record<string, number> {
  if (appliedMs === undefined) return {};
  const end = rolledBackMs ?? Infinity;
  const during = writes.filter((w) => w.intendedAtMs >= appliedMs && w.intendedAtMs < end);
  const open = openIntervals(breakers, apiBreaker);
  const whileOpen = writes.filter((w) =>
    open.some(([from, to]) => w.intendedAtMs >= from && w.intendedAtMs < to),
  );
  return {
    ...writeMetrics('writes', during),
    ...writeMetrics('writes.whileOpen', whileOpen),
    'writes.whileOpen.non503': whileOpen.filter((w) => w.status !== 503).length,
  };
}

/** Run-wide headline figures: the worst variant's. */
function collectHeadlines(ctx: ScenarioContext): void {
  const metrics = ctx.metrics();
  const worst = (suffix: string): number | undefined => {
    const values = Object.entries(metrics)
      .filter(([k]) => k.startsWith('phase.') && k.endsWith(suffix))
      .map(([, v]) => v);
    return values.length ? Math.max(...values) : undefined;
  };
  for (const name of [
    resultMetrics.breakerTimeToOpenMs,
    resultMetrics.breakerTimeToCloseMs,
    resultMetrics.backlogDrainMs,
  ]) {
    const value = worst(`.${name}`);
    if (value !== undefined) ctx.metric(name, value);
  }
}

/**
 * Steady writes with listeners connected; RabbitMQ cut through the fault proxy (refused or
 * partitioned), per publish mode. The outbox keeps every accepted write; direct mode fails fast.
 */
export const rabbitmqOutage = defineScenario<RunState>({
  name: 'rabbitmq-outage',
  hypothesis:
    'with RabbitMQ cut, the breaker opens within 2 s; the outbox accepts every write and delivers all of it to every listener within 10 s of recovery, while direct mode answers 503 fast',
  defaults: {
    durationMs: 10_000,
    rate: 20,
    listeners: 20,
    sizing:
      '20 writes/s (each 2 notifications × 20 listeners = 800 deliveries/s), 10 s steady, a 30 s cut, 10 s of writes after it, for 4 variants (~5 min): enough to fill a backlog of ~600 writes while leaving CPU for the services on 2 cores; --cut-sec 5 for a quick run',
  },
  options: {
    'cut-sec': { type: 'number', default: 30, description: 'how long RabbitMQ is cut, seconds' },
    'after-sec': {
      type: 'number',
      default: 10,
      description: 'writes keep coming this long after recovery, seconds',
    },
    'publish-mode': {
      type: 'string',
      default: 'both',
      choices: ['both', ...publishModes],
      description: 'API PUBLISH_MODE variants',
    },
    fault: {
      type: 'string',
      default: 'both',
      choices: ['both', ...faultKinds],
      description: 'refused = proxy disabled; partition = timeout 0 on both streams',
    },
    'recovery-timeout-sec': {
      type: 'number',
      default: 60,
      description: 'longest wait for every listener to catch up after recovery, seconds',
    },
  },
  variants: outageVariants,
  steadyState: servicesReady,
  async setup(ctx): Promise<RunState> {
    await connectListeners(ctx, 60_000);
    return new Map();
  },
  phases: [
    { name: 'steady', durationMs: (o) => o.durationMs, run: steady },
    { name: 'cut', durationMs: cutMs },
    { name: 'recovery', durationMs: afterMs, run: recover },
  ],
  faults: [
    {
      name: 'rabbitmq-cut',
      phase: 'cut',
      durationMs: cutMs,
      description: 'rabbitmq: proxy disabled (refused) or timeout 0 on both streams (partition), per variant',
      apply: (ctx) =>
        ctx.variant?.endsWith('partition')
          ? ctx.faults.partition(ctx.target.proxyNames.rabbitmq)
          : ctx.faults.disable(ctx.target.proxyNames.rabbitmq),
      rollback: (ctx) =>
        ctx.variant?.endsWith('partition')
          ? ctx.faults.heal(ctx.target.proxyNames.rabbitmq)
          : ctx.faults.enable(ctx.target.proxyNames.rabbitmq),
    },
  ],
  collect(ctx) {
    collectHeadlines(ctx);
    return Promise.resolve();
  },
  gates: outageGates,
});
