import type { AmqpChannelPool } from '../shared/amqp-channel-pool.ts';
import type { HealthCheck } from '../shared/health.ts';
import type { OutboxRelay } from '../shared/outbox/outbox-relay.ts';
import type { ResiliencePolicy } from '../shared/resilience-policy.ts';
import type { StudentL2 } from './cache/student-cache-ports.ts';
import type { StudentStore } from './students/student-store.ts';
import { topology } from '../../contracts/topology.ts';

export interface ApiHealthDeps {
  store: StudentStore;
  pool: AmqpChannelPool;
  l2: StudentL2;
  relay: OutboxRelay;
  policies: ResiliencePolicy[];
  /** In direct mode the broker is required to serve writes; with the outbox it is not. */
  amqpRequired: boolean;
  /** Oldest unpublished outbox row (seconds) above which the outbox is degraded. */
  outboxLagDegradedSec: number;
}

/** One entry per dependency: db, amqp, redis, outbox lag, breaker state. */
export function createApiHealthChecks(deps: ApiHealthDeps): HealthCheck[] {
  return [
    { name: 'db', required: true, check: async () => (await deps.store.ping(), { status: 'healthy' }) },
    {
      name: 'amqp',
      required: deps.amqpRequired,
      check: async (signal) => {
        await deps.pool.withChannel((channel) => channel.checkExchange(topology.studentsExchange), signal);
        return { status: 'healthy', details: { pool: deps.pool.stats() } };
      },
    },
    { name: 'redis', required: false, check: async () => (await deps.l2.ping(), { status: 'healthy' }) },
    {
      name: 'outbox',
      required: false,
      check: async () => {
        const lag = await deps.relay.lag();
        return {
          status: lag.oldestAgeSec > deps.outboxLagDegradedSec ? 'degraded' : 'healthy',
          details: { pending: lag.pending, oldestAgeSec: Math.round(lag.oldestAgeSec * 1000) / 1000 },
        };
      },
    },
    {
      name: 'breakers',
      required: false,
      check: () => {
        const states = Object.fromEntries(deps.policies.map((p) => [p.name, p.state()]));
        const allClosed = Object.values(states).every((s) => s === 'closed');
        return Promise.resolve({ status: allClosed ? 'healthy' : 'degraded', details: states });
      },
    },
  ];
}
