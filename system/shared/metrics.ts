import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { metricNames } from '../../contracts/service-metrics.ts';

export interface ServiceMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  breakerState: Gauge<'breaker'>;
  breakerTransitions: Counter<'breaker' | 'from' | 'to'>;
  /** SQL statements sent, by cause (cost-attribution.ts). */
  sqlStatements: Counter<'cause'>;
  /** Redis commands sent, by cause. */
  redisCommands: Counter<'cause'>;
}

/** Seconds; fine at the low end, where cached reads live, and up to the slowest timeouts. */
export const httpDurationBuckets = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * Default process metrics whose collection walks every open handle or file descriptor on each
 * scrape (a directory listing of /proc/self/fd, an array of every handle): with thousands of
 * listener connections, each scrape would stall the event loop in proportion to them.
 */
export const perConnectionDefaultMetrics = [
  'process_open_fds',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
] as const;

export interface ServiceMetricsOptions {
  /** Keep the default metrics that cost O(connections) per scrape (default true). */
  perConnectionMetrics?: boolean;
}

/**
 * A registry per service with default process metrics (labelled `service`) and the metrics every
 * service shares. Services register their own metrics on `registry`.
 */
export function createServiceMetrics(service: string, options: ServiceMetricsOptions = {}): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  if (options.perConnectionMetrics === false) {
    for (const name of perConnectionDefaultMetrics) registry.removeSingleMetric(name);
  }
  return {
    registry,
    httpDuration: new Histogram({
      name: metricNames.httpDuration,
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: httpDurationBuckets,
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: metricNames.breakerState,
      help: 'Circuit breaker state: 0 closed, 1 open, 2 half-open, 3 isolated',
      labelNames: ['breaker'],
      registers: [registry],
    }),
    breakerTransitions: new Counter({
      name: metricNames.breakerTransitions,
      help: 'Circuit breaker transitions',
      labelNames: ['breaker', 'from', 'to'],
      registers: [registry],
    }),
    sqlStatements: new Counter({
      name: metricNames.sqlStatements,
      help: 'SQL statements sent, by cause: request (business HTTP), message (consumed AMQP), other',
      labelNames: ['cause'],
      registers: [registry],
    }),
    redisCommands: new Counter({
      name: metricNames.redisCommands,
      help: 'Redis commands sent, by cause: request (business HTTP), message (consumed AMQP), other',
      labelNames: ['cause'],
      registers: [registry],
    }),
  };
}
