import { breakerStateValue } from '../../../contracts/service-metrics.ts';
import type { ServiceName } from '../../target/target.ts';
import {
  percentiles,
  promTimeseries,
  stateTimeline,
  width,
  type PanelBuilder,
  type State,
} from './panels.ts';

// The rows several service dashboards share: the same panels, each reading its own service's series.

/** `circuit_breaker_state`'s values (contracts/service-metrics.ts); open is the alarm. */
export const breakerStates: State[] = [
  { value: breakerStateValue.closed, text: 'closed', color: 'green' },
  { value: breakerStateValue.open, text: 'open', color: 'red' },
  { value: breakerStateValue['half-open'], text: 'half-open', color: 'yellow' },
  { value: breakerStateValue.isolated, text: 'isolated', color: 'purple' },
];

export function httpPanels(service: ServiceName): PanelBuilder[] {
  const requests = `http_request_duration_seconds_count{service="${service}"}`;
  const buckets = `http_request_duration_seconds_bucket{service="${service}"}`;
  return [
    promTimeseries({
      title: 'Requests by route and status',
      description: 'Request rate of every route, split by response status.',
      width: width.half,
      unit: 'reqps',
      style: 'stacked',
      queries: [
        {
          expr: `sum by (route, status) (rate(${requests}[$__rate_interval]))`,
          legend: '{{route}} {{status}}',
        },
      ],
    }),
    promTimeseries({
      title: 'Latency p99 by route',
      description: 'Server-side request duration, 99th percentile.',
      width: width.half,
      unit: 's',
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le, route) (rate(${buckets}[$__rate_interval])))`,
          legend: 'p99 {{route}}',
        },
      ],
    }),
    promTimeseries({
      title: 'Latency percentiles (all routes)',
      description: 'Server-side request duration over every route.',
      width: width.half,
      unit: 's',
      queries: Object.entries(percentiles).map(([legend, q]) => ({
        expr: `histogram_quantile(${q}, sum by (le) (rate(${buckets}[$__rate_interval])))`,
        legend,
      })),
    }),
    promTimeseries({
      title: 'Responses by status',
      description: '5xx responses show up here as their own series.',
      width: width.half,
      unit: 'reqps',
      style: 'stacked',
      queries: [{ expr: `sum by (status) (rate(${requests}[$__rate_interval]))`, legend: '{{status}}' }],
    }),
  ];
}

/** The transactional outbox and its relay's publishing to RabbitMQ. */
export function outboxPanels(service: ServiceName): PanelBuilder[] {
  const of = `{service="${service}"}`;
  const confirms = `sum by (exchange) (rate(amqp_publish_confirms_total${of}[$__rate_interval]))`;
  return [
    promTimeseries({
      title: 'Outbox pending',
      width: width.third,
      unit: 'short',
      queries: [{ expr: `max by (producer) (outbox_pending_messages${of})`, legend: '{{producer}}' }],
    }),
    promTimeseries({
      title: 'Outbox oldest age',
      width: width.third,
      unit: 's',
      queries: [{ expr: `max by (producer) (outbox_oldest_age_seconds${of})`, legend: '{{producer}}' }],
    }),
    promTimeseries({
      title: 'Publish confirms and failures',
      width: width.third,
      unit: 'ops',
      queries: [
        { expr: confirms, legend: 'confirmed {{exchange}}' },
        {
          // 0 per exchange rather than no series while nothing fails
          expr: `sum by (exchange, reason) (rate(amqp_publish_failures_total${of}[$__rate_interval])) or on(exchange) ${confirms} * 0`,
          legend: 'failed {{exchange}} {{reason}}',
        },
      ],
    }),
  ];
}

export function breakerPanels(service: ServiceName): PanelBuilder[] {
  const state = `circuit_breaker_state{service="${service}"}`;
  return [
    stateTimeline({
      title: 'Breaker state',
      description: '0 closed, 1 open, 2 half-open, 3 isolated (circuit_breaker_state).',
      width: width.half,
      query: { expr: `max by (breaker) (${state})`, legend: '{{breaker}}' },
      states: breakerStates,
      redFrom: breakerStateValue.open,
    }),
    promTimeseries({
      title: 'Breaker transitions',
      description:
        'Transitions per interval (circuit_breaker_transitions_total); 0 for a breaker that has not moved.',
      width: width.half,
      unit: 'short',
      style: 'bars',
      queries: [
        {
          expr: `sum by (breaker, from, to) (increase(circuit_breaker_transitions_total{service="${service}"}[$__rate_interval])) or on(breaker) max by (breaker) (${state}) * 0`,
          legend: '{{breaker}} {{from}}→{{to}}',
        },
      ],
    }),
  ];
}

/** prom-client's default metrics of the service's Node.js process. */
export function processPanels(service: ServiceName): PanelBuilder[] {
  const of = `{service="${service}"}`;
  return [
    promTimeseries({
      title: 'CPU',
      description: 'Share of one core.',
      width: width.third,
      unit: 'percentunit',
      queries: [{ expr: `rate(process_cpu_seconds_total${of}[$__rate_interval])`, legend: 'cpu' }],
    }),
    promTimeseries({
      title: 'Memory',
      width: width.third,
      unit: 'bytes',
      queries: [
        { expr: `process_resident_memory_bytes${of}`, legend: 'rss' },
        { expr: `nodejs_heap_size_used_bytes${of}`, legend: 'heap used' },
      ],
    }),
    promTimeseries({
      title: 'Event loop lag',
      description: 'A busy event loop delays every request and message.',
      width: width.third,
      unit: 's',
      queries: [
        { expr: `nodejs_eventloop_lag_p99_seconds${of}`, legend: 'p99' },
        { expr: `nodejs_eventloop_lag_mean_seconds${of}`, legend: 'mean' },
      ],
    }),
  ];
}

/** What the service sends to PostgreSQL/SQL Server, Redis and RabbitMQ, by what caused it. */
export function costOfWorkPanels(service: ServiceName): PanelBuilder[] {
  const of = `{service="${service}"}`;
  return [
    promTimeseries({
      title: 'SQL statements by cause',
      description:
        'Statements sent per second: request (business HTTP), message (consumed AMQP), other (relay polls, health checks, scrapes).',
      width: width.third,
      unit: 'ops',
      queries: [
        { expr: `sum by (cause) (rate(sql_statements_total${of}[$__rate_interval]))`, legend: '{{cause}}' },
      ],
    }),
    redisCommandsByCause(service, width.third, 'Commands sent per second, by what they were for.'),
    promTimeseries({
      title: 'AMQP publishes (every attempt)',
      description:
        'Messages handed to the broker per second, retries included; above confirms when publishes are retried.',
      width: width.third,
      unit: 'ops',
      queries: [
        {
          expr: `sum by (exchange) (rate(amqp_publishes_total${of}[$__rate_interval]))`,
          legend: '{{exchange}}',
        },
      ],
    }),
  ];
}

export function redisCommandsByCause(service: ServiceName, panelWidth: number, description: string) {
  return promTimeseries({
    title: 'Redis commands by cause',
    description,
    width: panelWidth,
    unit: 'ops',
    queries: [
      {
        expr: `sum by (cause) (rate(redis_commands_total{service="${service}"}[$__rate_interval]))`,
        legend: '{{cause}}',
      },
    ],
  });
}
