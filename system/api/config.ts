import { z } from 'zod';
import { env, loadConfig } from '../shared/config.ts';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { httpServerSettings } from '../shared/http-server-limits.ts';
import { journeySettings } from '../shared/journey-log.ts';

/**
 * Every setting of the Business API, from the environment; the keys are the variable names and each
 * says what it controls (docs/configuration.md is generated from them by `npm run docs:config`).
 */
export const apiConfigSchema = z.object({
  PORT: env.port(5000).describe('Port the API listens on (students, `/health`, `/metrics`).'),
  ...httpServerSettings({
    maxConnections: 10_000,
    keepAliveTimeoutMs: 65_000,
    why: {
      keepAliveTimeoutMs:
        "65 s outlives a load balancer's idle timeout (60 s on the common ones), so the API never " +
        'closes a connection the balancer is about to reuse.',
    },
  }),
  ...journeySettings(),
  LOG_LEVEL: env.logLevel().describe('Least severe log level written (pino); `silent` writes nothing.'),
  CORS_ORIGINS: env
    .list()
    .describe(
      'Browser origins (`*` for any) whose pages may call the API from another origin. Empty: no CORS ' +
        "headers, so only pages of the API's own origin can read its answers.",
    ),
  INSTANCE_ID: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'Names this process in cache invalidations and AMQP connection names; unset: `api-` and 8 random hex digits.',
    ),
  DATABASE_URL: env
    .url(defaultUrls.database, ['postgres:', 'postgresql:', 'mssql:'])
    .describe(
      'Database to use: PostgreSQL, or SQL Server with `mssql:`. The default is what `npm run infra` sets up.',
    ),
  DB_POOL_SIZE: env.int(20, 1, 500).describe('Database connections the pool may open.'),
  DB_TIMEOUT_MS: env
    .int(5_000, 10)
    .describe('Bounds connecting to the database and each statement, in milliseconds.'),
  AMQP_URL: env
    .url(defaultUrls.amqp, ['amqp:', 'amqps:'])
    .describe('RabbitMQ to publish student events to. The default is what `npm run infra` sets up.'),
  AMQP_MAX_CONNECTIONS: env.int(3, 1, 50).describe("RabbitMQ connections of the publisher's channel pool."),
  AMQP_CHANNELS_PER_CONNECTION: env
    .int(5, 1, 100)
    .describe('Confirm channels the pool opens on each of those connections.'),
  REDIS_URL: env
    .url(defaultUrls.redis, ['redis:', 'rediss:'])
    .describe(
      'Redis holding the shared student cache and carrying cache invalidations between instances. The default is what `npm run infra` sets up.',
    ),
  PUBLISH_MODE: env
    .oneOf(['outbox', 'direct'] as const, 'outbox')
    .describe(
      '`outbox`: rows commit with the write, a relay publishes; `direct`: publish inside the request (the seed).',
    ),
  DEDUPE_MODE: env
    .oneOf(['off', 'coalesce', 'cache'] as const, 'cache')
    .describe(
      '`off`: no de-duplication; `coalesce`: identical requests in flight share one execution (the seed); `cache`: coalesce and replay the response for the window.',
    ),
  DEDUPE_GET_WINDOW_SEC: env
    .int(30, 0, 3600)
    .describe(
      'How long a successful `GET /api/students/{id}` response is replayed (mode `cache`), in seconds.',
    ),
  DEDUPE_PUT_WINDOW_SEC: env
    .int(5, 0, 3600)
    .describe(
      'How long a successful `PUT /api/students/{id}` response is replayed (mode `cache`), in seconds.',
    ),
  DEDUPE_FOLLOWER_WAIT_MS: env
    .int(5_000, 1, 120_000)
    .describe('Longest a follower waits for its leader before running the request itself, in milliseconds.'),
  DEDUPE_MAX_ENTRIES: env
    .int(100_000, 1)
    .describe('Responses the response cache may hold; the oldest go first.'),
  DEDUPE_MAX_BYTES: env
    .int(32 * 1024 * 1024, 1024)
    .describe(
      'Bytes the response cache may hold (bodies, keys, headers); the oldest go first. Default 32 MiB.',
    ),
  CACHE_L1_TTL_MS: env
    .int(30_000, 0)
    .describe(
      "Lifetime of a student in this instance's memory cache (in front of Redis), in milliseconds; 0 turns it off. Invalidations between instances keep it fresh.",
    ),
  CACHE_L1_MAX_ENTRIES: env
    .int(50_000, 1)
    .describe('Students the memory cache may hold; the oldest go first.'),
  MAX_BODY_BYTES: env.int(16_384, 256, 10_485_760).describe('Largest request body accepted, in bytes.'),
  AMQP_TIMEOUT_MS: env
    .int(1_000, 1)
    .describe(
      'Per-attempt publish timeout, in milliseconds. Confirms from a reachable broker take milliseconds; with a partition every attempt waits this long, so it bounds how fast the breaker can notice (3 failures × 1 s: open about 3 s into a partition, not 10).',
    ),
  AMQP_MAX_RETRIES: env.int(2, 0, 20).describe('Retries of a failed publish after the first attempt.'),
  AMQP_RETRY_INITIAL_MS: env
    .int(100, 1)
    .describe(
      'Delay before the first publish retry, in milliseconds; it grows exponentially (with jitter) up to `AMQP_RETRY_MAX_MS`.',
    ),
  AMQP_RETRY_MAX_MS: env.int(1_000, 1).describe('Longest delay between publish retries, in milliseconds.'),
  AMQP_BREAKER_FAILURES: env
    .int(3, 1)
    .describe("Consecutive failed publish attempts that open RabbitMQ's breaker."),
  AMQP_BREAKER_HALF_OPEN_MS: env
    .int(5_000, 1)
    .describe(
      "How long RabbitMQ's breaker stays open before it lets a trial through, in milliseconds; also the `Retry-After` (rounded up to seconds) of the API's 503 answers.",
    ),
  REDIS_TIMEOUT_MS: env
    .int(100, 1)
    .describe(
      'Per-command Redis timeout, in milliseconds; Redis is a cache, so reads fall through to the database (no retries).',
    ),
  REDIS_BREAKER_FAILURES: env
    .int(5, 1)
    .describe("Consecutive failed Redis commands that open Redis's breaker."),
  REDIS_BREAKER_HALF_OPEN_MS: env
    .int(5_000, 1)
    .describe("How long Redis's breaker stays open before it lets a trial through, in milliseconds."),
  OUTBOX_BATCH_SIZE: env.int(500, 1, 10_000).describe('Outbox rows the relay publishes per transaction.'),
  RETENTION_OUTBOX_SEC: env
    .int(7 * 86_400, 60)
    .describe('Published outbox rows are deleted once this old, in seconds (default 7 days).'),
  RETENTION_IDEMPOTENCY_SEC: env
    .int(86_400, 60)
    .describe('Idempotency keys are deleted once this old, in seconds (default 1 day).'),
  RETENTION_SWEEP_MS: env.int(60_000, 100).describe('How often the retention sweep runs, in milliseconds.'),
  RETENTION_BATCH: env.int(1_000, 1, 100_000).describe('Rows the retention sweep deletes per statement.'),
  OUTBOX_POLL_MS: env
    .int(1_000, 10)
    .describe("The relay's safety-net poll of the outbox when no write woke it, in milliseconds."),
  OUTBOX_BACKOFF_MAX_MS: env
    .int(5_000, 10)
    .describe(
      'Longest pause of the relay after failed batches, in milliseconds (it starts at 100 ms and doubles, with jitter).',
    ),
  OUTBOX_LAG_DEGRADED_SEC: env
    .int(30, 1)
    .describe('Outbox age, in seconds, above which `/health` reports the outbox degraded.'),
  SHUTDOWN_TIMEOUT_MS: env
    .int(10_000, 100)
    .describe(
      'Shutdown budget, in milliseconds: after it the process exits even if closing has not finished.',
    ),
});

export type ApiConfig = z.infer<typeof apiConfigSchema>;

/** Validates the environment once; throws a ConfigError listing every bad variable. */
export const loadApiConfig = (source: Record<string, string | undefined>): ApiConfig =>
  loadConfig('api', apiConfigSchema, source);
