import type { AmqpConsumer } from '../shared/amqp-consumer.ts';
import type { HealthCheck } from '../shared/health.ts';
import type { OutboxRelay } from '../shared/outbox/outbox-relay.ts';
import type { ResiliencePolicy } from '../shared/resilience-policy.ts';
import type { StudentCache } from './student-cache.ts';
import type { WorkerStore } from './worker-store.ts';

export interface WorkerHealthDeps {
  store: WorkerStore;
  cache: StudentCache;
  consumer: AmqpConsumer;
  relay: OutboxRelay;
  policies: ResiliencePolicy[];
  /** Outbox age above which the entry is degraded, in seconds (default 30). */
  outboxMaxAgeSec?: number;
}

/**
 * Ready needs the database and the broker; Redis is optional (the cache step is skipped without
 * it), and a growing outbox or an open breaker only degrades.
 */
export function createWorkerHealthChecks(deps: WorkerHealthDeps): HealthCheck[] {
  const { outboxMaxAgeSec = 30 } = deps;
  return [
    {
      name: 'db',
      required: true,
      check: async (signal) => (await deps.store.ping(signal), { status: 'healthy' }),
    },
    {
      name: 'amqp',
      required: true,
      check: () =>
        Promise.resolve({
          status: deps.consumer.connected() ? 'healthy' : 'unhealthy',
          details: { consumer: deps.consumer.state() },
        }),
    },
    {
      name: 'redis',
      required: false,
      check: async (signal) => (await deps.cache.ping(signal), { status: 'healthy' }),
    },
    {
      name: 'outbox',
      required: false,
      check: async () => {
        const lag = await deps.relay.lag();
        return { status: lag.oldestAgeSec > outboxMaxAgeSec ? 'degraded' : 'healthy', details: { ...lag } };
      },
    },
    {
      name: 'breakers',
      required: false,
      check: () => {
        const states = Object.fromEntries(deps.policies.map((p) => [p.name, p.state()]));
        const open = Object.values(states).some((s) => s !== 'closed');
        return Promise.resolve({ status: open ? 'degraded' : 'healthy', details: states });
      },
    },
  ];
}
