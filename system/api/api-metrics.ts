import { Counter } from 'prom-client';
import { metricNames } from '../../contracts/service-metrics.ts';
import { createServiceMetrics, type ServiceMetrics } from '../shared/metrics.ts';
import { createOutboxMetrics, type OutboxMetrics } from '../shared/outbox/outbox-metrics.ts';

export type DedupeOutcome = 'executed' | 'coalesced' | 'cached' | 'bypass';

export interface ApiMetrics extends ServiceMetrics {
  dedupeRequests: Counter<'route' | 'outcome'>;
  cacheRequests: Counter<'cache' | 'level' | 'result'>;
  dbQueries: Counter<'operation'>;
  outbox: OutboxMetrics;
}

/** Every metric the API exposes (names from contracts/service-metrics.ts). */
export function createApiMetrics(): ApiMetrics {
  const base = createServiceMetrics('api');
  const registers = [base.registry];
  return {
    ...base,
    dedupeRequests: new Counter({
      name: metricNames.dedupeRequests,
      help: 'Requests seen by the de-duplication middleware, by outcome',
      labelNames: ['route', 'outcome'],
      registers,
    }),
    cacheRequests: new Counter({
      name: metricNames.cacheRequests,
      help: 'Student cache lookups by level and result',
      labelNames: ['cache', 'level', 'result'],
      registers,
    }),
    dbQueries: new Counter({
      name: metricNames.dbQueries,
      help: 'Student store calls that reached the database',
      labelNames: ['operation'],
      registers,
    }),
    outbox: createOutboxMetrics(base.registry),
  };
}
