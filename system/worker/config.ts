import { z } from 'zod';
import { env, loadConfig } from '../shared/config.ts';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { httpServerSettings } from '../shared/http-server-limits.ts';

const delayList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) => v.split(',').map((s) => Number(s.trim())))
    .refine((list) => list.length > 0 && list.every((n) => Number.isInteger(n) && n > 0), {
      message: 'must be a comma-separated list of positive integers (milliseconds)',
    });

/** Every setting of the worker, from the environment (validated once, every problem listed). */
export const workerConfigSchema = z.object({
  PORT: env.port(5002),
  ...httpServerSettings({ maxConnections: 1_000, keepAliveTimeoutMs: 5_000 }),
  LOG_LEVEL: env.logLevel(),
  DATABASE_URL: env.url(defaultUrls.database, ['postgres:', 'postgresql:', 'mssql:']),
  AMQP_URL: env.url(defaultUrls.amqp, ['amqp:', 'amqps:']),
  REDIS_URL: env.url(defaultUrls.redis, ['redis:', 'rediss:']),
  /**
   * Unacknowledged messages handled at once. 1 (the seed's choice) keeps every student's events in
   * order; larger values trade that order for throughput (see system/worker/README.md).
   */
  WORKER_PREFETCH: env.int(1, 1, 1_000),
  /** Deliveries a message gets before it is dead-lettered (1 = no retry). */
  WORKER_MAX_ATTEMPTS: env.int(5, 1, 50),
  /** Delay before retry n (the last one repeats), in milliseconds. */
  WORKER_RETRY_DELAYS_MS: delayList('1000,5000,15000,30000'),
  /** Prefixes every queue and exchange name (`<prefix>.worker.students`); empty = the fixed names of contracts/topology.ts. */
  WORKER_TOPOLOGY_PREFIX: z.string().default(''),
  WORKER_SHUTDOWN_TIMEOUT_MS: env.int(15_000, 100),
  DB_POOL_SIZE: env.int(10, 1, 200),
  DB_TIMEOUT_MS: env.int(5_000, 10),
  DB_MAX_RETRIES: env.int(2, 0, 10),
  REDIS_TIMEOUT_MS: env.int(500, 10),
  BREAKER_CONSECUTIVE_FAILURES: env.int(5, 1),
  BREAKER_HALF_OPEN_AFTER_MS: env.int(5_000, 10),
  OUTBOX_BATCH_SIZE: env.int(100, 1, 10_000),
  /** Published outbox rows and finished message ids are deleted once this old (seconds). */
  RETENTION_OUTBOX_SEC: env.int(7 * 86_400, 60),
  RETENTION_PROCESSED_SEC: env.int(7 * 86_400, 60),
  RETENTION_SWEEP_MS: env.int(60_000, 100),
  RETENTION_BATCH: env.int(1_000, 1, 100_000),
});

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export const loadWorkerConfig = (source: Record<string, string | undefined>): WorkerConfig =>
  loadConfig('worker', workerConfigSchema, source);
