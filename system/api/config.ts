import { z } from 'zod';
import { env, loadConfig } from '../shared/config.ts';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { httpServerSettings } from '../shared/http-server-limits.ts';

const schema = z.object({
  PORT: env.port(5000),
  // Keep-alive outlives a load balancer's idle timeout (60 s on the common ones), so it never
  // closes a connection the balancer is about to reuse.
  ...httpServerSettings({ maxConnections: 10_000, keepAliveTimeoutMs: 65_000 }),
  LOG_LEVEL: env.logLevel(),
  /**
   * Browser origins (comma-separated, `*` for any) whose pages may call the API from another
   * origin. Empty: no CORS headers, so only pages of the API's own origin can read its answers.
   */
  CORS_ORIGINS: env.list(),
  /** Names this process in cache invalidations and AMQP connection names. */
  INSTANCE_ID: z.string().min(1).max(100).optional(),
  DATABASE_URL: env.url(defaultUrls.database, ['postgres:', 'postgresql:', 'mssql:']),
  DB_POOL_SIZE: env.int(20, 1, 500),
  /** Bounds connecting to the database and each statement, in milliseconds (the worker's setting too). */
  DB_TIMEOUT_MS: env.int(5_000, 10),
  AMQP_URL: env.url(defaultUrls.amqp, ['amqp:', 'amqps:']),
  AMQP_MAX_CONNECTIONS: env.int(3, 1, 50),
  AMQP_CHANNELS_PER_CONNECTION: env.int(5, 1, 100),
  REDIS_URL: env.url(defaultUrls.redis, ['redis:', 'rediss:']),
  /** `outbox`: rows commit with the write, a relay publishes; `direct`: publish inside the request (the seed). */
  PUBLISH_MODE: env.oneOf(['outbox', 'direct'] as const, 'outbox'),
  /** `off`: no de-duplication; `coalesce`: in-flight only (the seed); `cache`: coalesce + response cache. */
  DEDUPE_MODE: env.oneOf(['off', 'coalesce', 'cache'] as const, 'cache'),
  DEDUPE_GET_WINDOW_SEC: env.int(30, 0, 3600),
  DEDUPE_PUT_WINDOW_SEC: env.int(5, 0, 3600),
  /** Longest a follower waits for its leader before running the request itself. */
  DEDUPE_FOLLOWER_WAIT_MS: env.int(5_000, 1, 120_000),
  DEDUPE_MAX_ENTRIES: env.int(100_000, 1),
  /** Bytes the response cache may hold (bodies, keys, headers); the oldest go first. Default 32 MiB. */
  DEDUPE_MAX_BYTES: env.int(32 * 1024 * 1024, 1024),
  CACHE_L1_TTL_MS: env.int(30_000, 0),
  CACHE_L1_MAX_ENTRIES: env.int(50_000, 1),
  MAX_BODY_BYTES: env.int(16_384, 256, 10_485_760),
  /**
   * Per-attempt publish timeout, in milliseconds. Confirms from a reachable broker take
   * milliseconds; with a partition every attempt waits this long, so it bounds how fast the
   * breaker can notice (3 failures × 1 s: open about 3 s into a partition, not 10).
   */
  AMQP_TIMEOUT_MS: env.int(1_000, 1),
  AMQP_MAX_RETRIES: env.int(2, 0, 20),
  AMQP_RETRY_INITIAL_MS: env.int(100, 1),
  AMQP_RETRY_MAX_MS: env.int(1_000, 1),
  /** Consecutive failed attempts that open the breaker. */
  AMQP_BREAKER_FAILURES: env.int(3, 1),
  AMQP_BREAKER_HALF_OPEN_MS: env.int(5_000, 1),
  REDIS_TIMEOUT_MS: env.int(100, 1),
  REDIS_BREAKER_FAILURES: env.int(5, 1),
  REDIS_BREAKER_HALF_OPEN_MS: env.int(5_000, 1),
  OUTBOX_BATCH_SIZE: env.int(500, 1, 10_000),
  /** Published outbox rows and idempotency keys are deleted once this old (seconds). */
  RETENTION_OUTBOX_SEC: env.int(7 * 86_400, 60),
  RETENTION_IDEMPOTENCY_SEC: env.int(86_400, 60),
  RETENTION_SWEEP_MS: env.int(60_000, 100),
  RETENTION_BATCH: env.int(1_000, 1, 100_000),
  OUTBOX_POLL_MS: env.int(1_000, 10),
  OUTBOX_BACKOFF_MAX_MS: env.int(5_000, 10),
  /** Outbox age (seconds) above which /health reports the outbox degraded. */
  OUTBOX_LAG_DEGRADED_SEC: env.int(30, 1),
  SHUTDOWN_TIMEOUT_MS: env.int(10_000, 100),
});

export type ApiConfig = z.infer<typeof schema>;

/** Validates the environment once; throws a ConfigError listing every bad variable. */
export const loadApiConfig = (source: Record<string, string | undefined>): ApiConfig =>
  loadConfig('api', schema, source);
