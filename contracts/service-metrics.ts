/**
 * The services' metric names are part of the contract: the dashboards, the alert rules and the lab
 * read them, so every service registers its metrics under these names and nowhere else spells them
 * out. Labels are listed beside each; durations are in seconds (Prometheus convention).
 */
export const metricNames = {
  // every service (system/shared/metrics.ts)
  httpDuration: 'http_request_duration_seconds', // {method, route, status}
  breakerState: 'circuit_breaker_state', // {breaker}: 0 closed, 1 open, 2 half-open
  breakerTransitions: 'circuit_breaker_transitions_total', // {breaker, from, to}
  // every service: what work costs, counted where it leaves the process (deterministic, so an
  // A/B comparison judges them exactly); `cause` says what the statement or command was for
  sqlStatements: 'sql_statements_total', // {cause: request|message|other}
  redisCommands: 'redis_commands_total', // {cause: request|message|other}
  amqpPublishes: 'amqp_publishes_total', // {producer, exchange}: every attempt, retries included
  // api
  dedupeRequests: 'dedupe_requests_total', // {route, outcome: executed|coalesced|cached|bypass}
  cacheRequests: 'cache_requests_total', // {cache, level: l1|l2, result: hit|miss|error}
  dbQueries: 'db_queries_total', // {operation}: every store call that reaches the database
  outboxPending: 'outbox_pending_messages', // {producer}
  outboxOldestAge: 'outbox_oldest_age_seconds', // {producer}
  publishConfirms: 'amqp_publish_confirms_total', // {producer, exchange}
  publishFailures: 'amqp_publish_failures_total', // {producer, exchange, reason}
  // worker
  workerMessages: 'worker_messages_total', // {type, result: ok|retried|dead_lettered|duplicate}
  workerProcessingDuration: 'worker_processing_duration_seconds', // {type}
  workerConsumerConnected: 'worker_consumer_connected', // 1 | 0
  workerCacheSkipped: 'worker_cache_skipped_total', // {reason}: Redis unavailable, step skipped
  workerDbGroupSize: 'worker_db_group_size', // histogram {step: apply|complete}: messages sharing one transaction
  // notifications
  notificationsConnected: 'notifications_connected_clients', // {transport: sse|socketio}
  notificationsDeliveries: 'notifications_deliveries_total', // {transport, type}
  notificationsDropped: 'notifications_dropped_clients_total', // {transport, reason}
  notificationsReplayed: 'notifications_replayed_events_total', // {transport}
  notificationsPipelineLatency: 'notifications_pipeline_latency_seconds', // {transport}: occurredAt → socket write
  notificationsConsumed: 'notifications_consumed_total', // {type, result: ok|duplicate|dead_lettered}
  notificationsBytesWritten: 'notifications_bytes_written_total', // {transport}: notification frames only
} as const;

/**
 * What a SQL statement or Redis command was for: serving a business HTTP request, handling a
 * consumed AMQP message, or anything else (relay polls, health checks, metric scrapes, startup).
 * Only the first two are caused by work, so only they are divided by the work done.
 */
export const costCauses = ['request', 'message', 'other'] as const;
export type CostCause = (typeof costCauses)[number];

export type ServiceMetricName = (typeof metricNames)[keyof typeof metricNames];

/** The names above that are histograms (exported as `_bucket`, `_sum` and `_count` series). */
export const histogramMetricNames: readonly ServiceMetricName[] = [
  metricNames.httpDuration,
  metricNames.workerProcessingDuration,
  metricNames.workerDbGroupSize,
  metricNames.notificationsPipelineLatency,
];

/** A circuit breaker's state, as every service reports it. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** The value of `circuit_breaker_state` for each state: 0 closed, 1 open, 2 half-open, 3 isolated. */
export const breakerStateValue: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  open: 1,
  'half-open': 2,
  isolated: 3,
};

/** The state a `circuit_breaker_state` sample encodes; undefined for a value no state has. */
export function breakerStateOf(value: number): BreakerState | undefined {
  return (Object.keys(breakerStateValue) as BreakerState[]).find((s) => breakerStateValue[s] === value);
}
