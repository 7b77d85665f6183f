import { proxyCutFault, connectListeners, deliveryGates, servicesReady } from './common-steps.ts';
import { breakerMetrics, crudOnce, dedupeBurst, measureWriteCosts, waitForRecovery } from './smoke-steps.ts';
import { defineScenario, resultMetrics } from '../lab/index.ts';

const steadyMs = 5000;
const cutMs = 5000;

/**
 * Every path once, in under a minute: CRUD, a de-duplicated burst, notifications reaching SSE and
 * Socket.IO listeners, and a 5 s broker cut (proxy disabled) with recovery. Gates are about
 * correctness, not speed.
 */
export const smoke = defineScenario({
  name: 'smoke',
  hypothesis:
    'every path works once: CRUD, a de-duplicated burst, notifications to SSE and Socket.IO listeners, and a 5 s broker cut loses nothing',
  defaults: {
    durationMs: steadyMs + cutMs + 2000,
    rate: 10,
    listeners: 6,
    sizing:
      'tiny on purpose (10 writes/s, 6 listeners, a 200-request burst): a correctness check for CI, finishing in about a minute on 2 cores',
  },
  options: {
    'burst-size': { type: 'number', default: 200, description: 'identical concurrent GETs in the burst' },
    'cost-writes': {
      type: 'number',
      default: 5,
      description: 'writes, one at a time, whose SQL, Redis, AMQP and bytes cost is counted',
    },
  },
  steadyState: servicesReady,
  setup: (ctx) => connectListeners(ctx, 20_000),
  phases: [
    { name: 'crud', run: crudOnce },
    { name: 'cost', run: (ctx) => measureWriteCosts(ctx, Number(ctx.options.costWrites)) },
    { name: 'burst', run: dedupeBurst },
    {
      name: 'steady',
      durationMs: steadyMs,
      async run(ctx) {
        // Writers span steady, the cut and a little after it: writes keep coming while the broker is away.
        ctx.background(
          'writers',
          ctx.writers({ kind: 'create', ratePerSec: ctx.options.rate, durationMs: ctx.options.durationMs }),
        );
        await Promise.resolve();
      },
    },
    { name: 'broker-cut', durationMs: cutMs },
    { name: 'recovery', run: (ctx) => waitForRecovery(ctx, 25_000) },
  ],
  faults: [
    proxyCutFault({
      name: 'rabbitmq-down',
      phase: 'broker-cut',
      atMs: 0,
      durationMs: cutMs,
      proxy: 'rabbitmq',
    }),
  ],
  collect: (ctx) => Promise.resolve(breakerMetrics(ctx, 'rabbitmq-down')),
  // What an A/B comparison judges: the hit rate and the HTTP latency with room for this
  // machine's noise; loss, duplicates and what work costs exactly. Frame bytes get 1 %: a frame
  // carries a replay stream id and a Socket.IO offset, whose length can differ by a character.
  compare: [
    { metric: resultMetrics.dedupeHitRate, direction: 'higher', tolerance: 0.05 },
    { metric: 'http.latency.p50Ms', direction: 'lower', tolerance: 0.5 },
    { metric: resultMetrics.eventsLost, direction: 'lower', tolerance: 0, exact: true },
    { metric: 'notifications.duplicated', direction: 'lower', tolerance: 0, exact: true },
    { metric: resultMetrics.costSqlStatementsPerWrite, direction: 'lower', tolerance: 0, exact: true },
    { metric: resultMetrics.costRedisCommandsPerWrite, direction: 'lower', tolerance: 0, exact: true },
    { metric: resultMetrics.costAmqpPublishesPerWrite, direction: 'lower', tolerance: 0, exact: true },
    { metric: resultMetrics.costBytesPerNotification, direction: 'lower', tolerance: 0.01, exact: true },
    { metric: resultMetrics.dedupeBackendReadsPerBurst, direction: 'lower', tolerance: 0, exact: true },
  ],
  // With --prometheus: the breaker alert of deploy/prometheus-rules.yml follows the cut.
  alertGates: [
    {
      name: 'the breaker alert follows the broker cut',
      alert: 'CircuitBreakerOpen',
      fault: 'rabbitmq-down',
      firesWithinMs: 10_000,
      resolvesWithinMs: 20_000,
    },
  ],
  gates: [
    { name: 'CRUD answers with the documented statuses', metric: 'crud.ok', op: '==', threshold: 1 },
    {
      name: 'the burst is de-duplicated (client-side hit rate)',
      metric: 'dedupe.hitRate',
      op: '>=',
      threshold: 0.95,
    },
    { name: 'writes were accepted', metric: 'events.accepted', op: '>', threshold: 0 },
    {
      name: 'every delivered notification has a journey',
      metric: 'journey.coverage',
      op: '>=',
      threshold: 0.99,
    },
    {
      name: 'the journey stages add up to the end-to-end mean (within 5 %)',
      metric: 'journey.meanGap',
      op: '<=',
      threshold: 0.05,
    },
    ...deliveryGates(),
    { name: 'the breaker opened during the cut', metric: 'breaker.opened', op: '==', threshold: 1 },
    { name: 'the breaker closed after recovery', metric: 'breaker.closedAtEnd', op: '==', threshold: 1 },
  ],
});
