/**
 * Result metric names every scenario keeps stable (the README documents them).
 * Reports, REPORT.md and CI gates read these names: rename one only together with everything
 * that reads it. Other metrics a scenario reports are extras and may change.
 */
export const resultMetrics = {
  /** Client-side share of burst responses carrying `X-Deduplicated: true` (0..1). */
  dedupeHitRate: 'dedupe.hitRate',
  /** Largest backend (database or Redis) read count of one wave, per API instance. */
  dedupeBackendReadsPerWaveMax: 'dedupe.backendReadsPerWave.max',
  /** Backend reads one de-duplicated burst (a cold wave and its repeat) caused, in all. */
  dedupeBackendReadsPerBurst: 'dedupe.backendReadsPerBurst',
  /** SQL statements an accepted write caused, every service (requests and messages, not polls). */
  costSqlStatementsPerWrite: 'cost.sqlStatementsPerWrite',
  /** Redis commands an accepted write caused, every service. */
  costRedisCommandsPerWrite: 'cost.redisCommandsPerWrite',
  /** AMQP messages published (every attempt) per accepted write, every service. */
  costAmqpPublishesPerWrite: 'cost.amqpPublishesPerWrite',
  /** Bytes of notification frames written per notification per listener, both transports. */
  costBytesPerNotification: 'cost.bytesPerNotification',
  /** Client-side HTTP latency p99 from intended send time, all phases merged. */
  httpLatencyP99Ms: 'http.latency.p99Ms',
  /** Distinct accepted writes (each expects notifications at every listener). */
  eventsAccepted: 'events.accepted',
  /** Accepted writes none of whose notifications reached any listener. */
  eventsLost: 'events.lost',
  /** Fault applied → first breaker `open` sample. */
  breakerTimeToOpenMs: 'breaker.timeToOpenMs',
  /** Fault rolled back → that breaker `closed` again. */
  breakerTimeToCloseMs: 'breaker.timeToCloseMs',
  /** Fault rolled back → outbox backlog (`outbox_pending_messages`) back to 0. */
  backlogDrainMs: 'backlog.drainMs',
  /** Peak listeners connected at once. */
  listenersConnected: 'listeners.connected',
  /** Expected notifications × listeners. */
  notificationsExpected: 'notifications.expected',
  /** Distinct (listener, notification) receipts. */
  notificationsDelivered: 'notifications.delivered',
  /** End-to-end notification latency p99: receipt − intended send of the causing write. */
  notificationsLatencyP99Ms: 'notifications.latency.p99Ms',
  /** Share of delivered notifications whose journey stages are known (`journey.<stage>.*`). */
  journeyCoverage: 'journey.coverage',
} as const;

export type ResultMetric = (typeof resultMetrics)[keyof typeof resultMetrics];

/** What each documented metric counts, so every scenario's value can be checked against it. */
export type ResultMetricUnit = 'ratio' | 'count' | 'ms' | 'average';

export const resultMetricUnits: Readonly<Record<ResultMetric, ResultMetricUnit>> = {
  'dedupe.hitRate': 'ratio',
  'journey.coverage': 'ratio',
  'dedupe.backendReadsPerWave.max': 'count',
  'dedupe.backendReadsPerBurst': 'count',
  'cost.sqlStatementsPerWrite': 'average',
  'cost.redisCommandsPerWrite': 'average',
  'cost.amqpPublishesPerWrite': 'average',
  'cost.bytesPerNotification': 'average',
  'http.latency.p99Ms': 'ms',
  'events.accepted': 'count',
  'events.lost': 'count',
  'breaker.timeToOpenMs': 'ms',
  'breaker.timeToCloseMs': 'ms',
  'backlog.drainMs': 'ms',
  'listeners.connected': 'count',
  'notifications.expected': 'count',
  'notifications.delivered': 'count',
  'notifications.latency.p99Ms': 'ms',
};
