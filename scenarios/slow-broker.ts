import { setPhaseMetrics, writeMetrics, startOutageLoad, type OutageLoad } from './outage-steps.ts';
import { connectListeners, deliveryGates, servicesReady, toxicFault } from './common-steps.ts';
import {
  phaseMetricName,
  resultMetrics,
  defineScenario,
  drainedAt,
  waitForDelivery,
  type RunOptions,
  type ScenarioContext,
} from '../lab/index.ts';

const slowMs = (o: RunOptions): number => Number(o.slowSec) * 1000;
const afterMs = (o: RunOptions): number => Number(o.afterSec) * 1000;

function startLoad(ctx: ScenarioContext, state: OutageLoad): void {
  startOutageLoad(ctx, state, ctx.options.durationMs + slowMs(ctx.options) + afterMs(ctx.options), 500);
}

async function recover(ctx: ScenarioContext, state: OutageLoad): Promise<void> {
  await state.writers?.catch((error: Error) => ctx.note(`writers failed: ${error.message}`));
  await waitForDelivery(ctx, '', Number(ctx.options.recoveryTimeoutSec) * 1000);
  await state.poller?.stop();
  const points = state.poller?.points() ?? [];
  const latency = ctx.faultTimes('broker-latency');
  const slowStart = latency.appliedMs ?? Infinity;
  const slowEnd = latency.rolledBackMs ?? Infinity;
  const depth = (p: (typeof points)[number]): number => Math.max(p.apiPending, p.workerPending);
  const baseline = Math.max(0, ...points.filter((p) => p.atMs < slowStart).map(depth));
  for (const [phase, from, to] of [
    ['steady', 0, slowStart],
    ['slow', slowStart, slowEnd],
    ['recovery', slowEnd, Infinity],
  ] as const) {
    const inWindow = points.filter((p) => p.atMs >= from && p.atMs < to);
    // The publisher's side of the slow link: with backpressure in the fault proxy the API's relay
    // cannot hand the broker more than the link carries, so rows wait in its outbox.
    setPhaseMetrics(ctx, phase, {
      'backlog.peak': Math.max(0, ...inWindow.map(depth)),
      'backlog.api.peak': Math.max(0, ...inWindow.map((p) => p.apiPending)),
      'outbox.api.oldestAgeMaxSec': Math.max(0, ...inWindow.map((p) => p.apiOldestAgeSec)),
      ...writeMetrics(
        'writes',
        state.writes.filter((w) => w.intendedAtMs >= from && w.intendedAtMs < to),
      ),
    });
  }
  const drained =
    latency.rolledBackMs === undefined ? undefined : drainedAt(points, latency.rolledBackMs, baseline);
  if (drained !== undefined && latency.rolledBackMs !== undefined)
    ctx.metric(resultMetrics.backlogDrainMs, drained - latency.rolledBackMs);
  ctx.metric('backlog.baseline', baseline);
  const slowMetric = (name: string): number | undefined => ctx.metrics()[phaseMetricName('slow', name)];
  ctx.note(
    `publisher side: while the link was slow the API's outbox held up to ${slowMetric('backlog.api.peak') ?? '?'} rows, the oldest waiting ${slowMetric('outbox.api.oldestAgeMaxSec') ?? '?'} s for its broker confirm (steady: ${ctx.metrics()[phaseMetricName('steady', 'backlog.api.peak')] ?? '?'} rows)`,
  );
}

/** Growth from steady to slow of notification latency and write latency (after the standard metrics). */
function collectGrowth(ctx: ScenarioContext): void {
  const m = ctx.metrics();
  const ratio = (name: string): number | undefined => {
    const steady = m[phaseMetricName('steady', name)];
    const slow = m[phaseMetricName('slow', name)];
    return steady !== undefined && slow !== undefined && steady > 0 ? slow / steady : undefined;
  };
  const notifications = ratio(resultMetrics.notificationsLatencyP99Ms);
  const writes = ratio('writes.p99Ms');
  if (notifications !== undefined) ctx.metric('notifications.latency.p99GrowthX', notifications);
  if (writes !== undefined) ctx.metric('writes.p99GrowthX', writes);
}

/**
 * Latency and bandwidth toxics on the broker link: end-to-end notification latency and the outbox
 * backlog grow while they last; writes stay fast (outbox) and nothing is lost; the backlog drains.
 */
export const slowBroker = defineScenario<OutageLoad>({
  name: 'slow-broker',
  hypothesis:
    'a slow, narrow broker link makes notification latency and the outbox backlog grow, but writes stay fast, nothing is lost and the backlog drains after it heals',
  defaults: {
    durationMs: 10_000,
    rate: 20,
    listeners: 10,
    sizing:
      '20 writes/s with 10 listeners; 10 s steady, 30 s of +200 ms (±50 ms) latency and a 32 KB/s upstream cap on RabbitMQ, 10 s after: the cap is below what 20 writes/s (+ their notifications) need, so a backlog builds on 2 cores without starving the services',
  },
  options: {
    'slow-sec': { type: 'number', default: 30, description: 'how long the toxics stay, seconds' },
    'after-sec': {
      type: 'number',
      default: 10,
      description: 'writes keep coming this long after the toxics go, seconds',
    },
    'latency-ms': { type: 'number', default: 200, description: 'latency toxic on RabbitMQ → services, ms' },
    'jitter-ms': { type: 'number', default: 50, description: 'latency jitter, ms' },
    'bandwidth-kbs': {
      type: 'number',
      default: 32,
      description: 'bandwidth toxic on services → RabbitMQ, KB/s',
    },
    'write-growth-max': {
      type: 'number',
      default: 2,
      description: 'gate: write p99 while the broker is slow, at most this many times the steady p99',
    },
    'recovery-timeout-sec': {
      type: 'number',
      default: 90,
      description: 'longest wait for every listener to catch up, seconds',
    },
  },
  steadyState: servicesReady,
  async setup(ctx): Promise<OutageLoad> {
    await connectListeners(ctx, 60_000);
    return { writes: [] };
  },
  phases: [
    {
      name: 'steady',
      durationMs: (o) => o.durationMs,
      run: (ctx, state) => Promise.resolve(startLoad(ctx, state)),
    },
    { name: 'slow', durationMs: slowMs },
    { name: 'recovery', durationMs: afterMs, run: recover },
  ],
  faults: [
    toxicFault({
      name: 'broker-latency',
      phase: 'slow',
      durationMs: slowMs,
      description: 'rabbitmq: latency toxic downstream',
      proxy: 'rabbitmq',
      toxic: (ctx) => ({
        name: 'slow_latency',
        type: 'latency',
        stream: 'downstream',
        attributes: { latency: Number(ctx.options.latencyMs), jitter: Number(ctx.options.jitterMs) },
      }),
    }),
    toxicFault({
      name: 'broker-bandwidth',
      phase: 'slow',
      durationMs: slowMs,
      description: 'rabbitmq: bandwidth toxic upstream',
      proxy: 'rabbitmq',
      toxic: (ctx) => ({
        name: 'slow_bandwidth',
        type: 'bandwidth',
        stream: 'upstream',
        attributes: { rate: Number(ctx.options.bandwidthKbs) },
      }),
    }),
  ],
  collect(ctx) {
    collectGrowth(ctx);
    return Promise.resolve();
  },
  gates: (o) => [
    ...deliveryGates(),
    {
      name: 'every write accepted while the broker is slow',
      phase: 'slow',
      metric: 'writes.successRate',
      op: '==',
      threshold: 1,
    },
    {
      name: `write p99 while the broker is slow <= ${Number(o.writeGrowthMax)} × the steady p99 (the outbox decouples writes)`,
      metric: 'writes.p99GrowthX',
      op: '<=',
      threshold: Number(o.writeGrowthMax),
    },
    {
      name: 'backlog drained within 30 s of the toxics going',
      metric: resultMetrics.backlogDrainMs,
      op: '<=',
      threshold: 30_000,
    },
  ],
});
