import { z } from 'zod';
import { env, loadConfig } from '../shared/config.ts';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { httpServerSettings } from '../shared/http-server-limits.ts';
import { journeySettings } from '../shared/journey-log.ts';

const delayList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) => v.split(',').map((s) => Number(s.trim())))
    .refine((list) => list.length > 0 && list.every((n) => Number.isInteger(n) && n > 0), {
      message: 'must be a comma-separated list of positive integers (milliseconds)',
    })
    .meta({ accepts: 'comma-separated positive integers' });

/**
 * Every setting of the worker, from the environment (validated once, every problem listed); each
 * says what it controls (docs/configuration.md is generated from them by `npm run docs:config`).
 */
export const workerConfigSchema = z.object({
  PORT: env.port(5002).describe("Port of the worker's `/health` and `/metrics`."),
  ...httpServerSettings({ maxConnections: 1_000, keepAliveTimeoutMs: 5_000 }),
  ...journeySettings(),
  LOG_LEVEL: env.logLevel().describe('Least severe log level written (pino); `silent` writes nothing.'),
  DATABASE_URL: env
    .url(defaultUrls.database, ['postgres:', 'postgresql:', 'mssql:'])
    .describe(
      "The API's database: PostgreSQL, or SQL Server with `mssql:`. The default is what `npm run infra` sets up.",
    ),
  AMQP_URL: env
    .url(defaultUrls.amqp, ['amqp:', 'amqps:'])
    .describe(
      'RabbitMQ to consume student events from and publish notifications to. The default is what `npm run infra` sets up.',
    ),
  REDIS_URL: env
    .url(defaultUrls.redis, ['redis:', 'rediss:'])
    .describe(
      'Redis holding the shared student cache, which the worker refreshes after each change. The default is what `npm run infra` sets up.',
    ),
  WORKER_PREFETCH: env
    .int(1, 1, 1_000)
    .describe(
      "Unacknowledged messages handled at once. 1 (the seed's choice) keeps every student's events in order; larger values trade that order for throughput (see system/worker/README.md).",
    ),
  WORKER_MAX_ATTEMPTS: env
    .int(5, 1, 50)
    .describe('Deliveries a message gets before it is dead-lettered (1 = no retry).'),
  WORKER_RETRY_DELAYS_MS: delayList('1000,5000,15000,30000').describe(
    'Delay before retry n (the last one repeats), in milliseconds.',
  ),
  WORKER_TOPOLOGY_PREFIX: z
    .string()
    .default('')
    .describe(
      'Prefixes every queue and exchange name (`<prefix>.worker.students`); empty = the fixed names of contracts/topology.ts.',
    ),
  WORKER_SHUTDOWN_TIMEOUT_MS: env
    .int(15_000, 100)
    .describe(
      'How long a stop may take to finish and ack the messages in hand and let the relay publish their notifications, in milliseconds; the process exits 2 s after it at the latest.',
    ),
  DB_POOL_SIZE: env.int(10, 1, 200).describe('Database connections the pool may open.'),
  DB_TIMEOUT_MS: env
    .int(5_000, 10)
    .describe('Bounds connecting to the database and each database call, in milliseconds.'),
  DB_MAX_RETRIES: env.int(2, 0, 10).describe('Retries of a failed database call after the first attempt.'),
  REDIS_TIMEOUT_MS: env
    .int(500, 10)
    .describe(
      'Timeout of the one try at a Redis call, in milliseconds: a slow Redis must not hold the message, the cache step is skipped instead.',
    ),
  BREAKER_CONSECUTIVE_FAILURES: env
    .int(5, 1)
    .describe('Consecutive failures that open a breaker (one each for the database, Redis and RabbitMQ).'),
  BREAKER_HALF_OPEN_AFTER_MS: env
    .int(5_000, 10)
    .describe('How long an open breaker waits before it lets a trial through, in milliseconds.'),
  OUTBOX_BATCH_SIZE: env
    .int(100, 1, 10_000)
    .describe('Outbox rows (notifications) the relay publishes per transaction.'),
  RETENTION_OUTBOX_SEC: env
    .int(7 * 86_400, 60)
    .describe('Published outbox rows are deleted once this old, in seconds (default 7 days).'),
  RETENTION_PROCESSED_SEC: env
    .int(7 * 86_400, 60)
    .describe(
      'Finished message ids are deleted once this old, in seconds (default 7 days). A message redelivered after its id was deleted would be processed again: keep it far longer than any redelivery.',
    ),
  RETENTION_SWEEP_MS: env.int(60_000, 100).describe('How often the retention sweep runs, in milliseconds.'),
  RETENTION_BATCH: env.int(1_000, 1, 100_000).describe('Rows the retention sweep deletes per statement.'),
});

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export const loadWorkerConfig = (source: Record<string, string | undefined>): WorkerConfig =>
  loadConfig('worker', workerConfigSchema, source);
