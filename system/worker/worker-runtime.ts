import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import mssql from 'mssql';

import { createAmqpChannelPool } from '../shared/amqp-channel-pool.ts';
import { createResilientPublisher } from '../shared/amqp-resilient-publisher.ts';
import { computeBackoffDelayMs } from '../shared/backoff-delay.ts';
import type { Logger } from '../shared/logger.ts';
import { createServiceMetrics, trackBreaker, type ServiceMetrics } from '../shared/metrics.ts';
import { dialectOf, migrate } from '../shared/migrate.ts';
import { createMssqlOutboxStore } from '../shared/outbox/mssql-outbox-store.ts';
import { createOutboxMetrics } from '../shared/outbox/outbox-metrics.ts';
import { createOutboxRelay } from '../shared/outbox/outbox-relay.ts';
import type { OutboxStore } from '../shared/outbox/outbox-store.ts';
import { createPostgresOutboxStore } from '../shared/outbox/postgres-outbox-store.ts';
import { createResiliencePolicy, type ResiliencePolicy } from '../shared/resilience-policy.ts';
import { workerTopologyNames, type WorkerTopologyNames } from '../shared/topology.ts';
import { createApp } from './app.ts';
import type { WorkerConfig } from './config.ts';
import { createMssqlWorkerStore } from './mssql-worker-store.ts';
import { createPostgresWorkerStore } from './postgres-worker-store.ts';
import { createRedisStudentCache, createWorkerRedis } from './redis-student-cache.ts';
import { createWorkerHealthChecks } from './worker-health.ts';
import { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.ts';
import { createWorker, type Worker } from './worker.ts';
import { workerProducer, type WorkerStore } from './worker-store.ts';
import { createPostgresPool, postgresPoolConfig } from '../shared/postgres-pool.ts';
import { createRetentionSweeper, retentionRule, type RetentionRule } from '../shared/retention.ts';

export interface WorkerRuntimeOptions {
  logger: Logger;
  /** Apply pending migrations first (default true; safe when several processes start at once). */
  migrate?: boolean;
  /** Overrides the queue and exchange names derived from WORKER_TOPOLOGY_PREFIX (tests). */
  names?: WorkerTopologyNames;
  /** Wraps the database adapter (tests inject failures). */
  decorateStore?: (store: WorkerStore) => WorkerStore;
}

export interface WorkerRuntime {
  worker: Worker;
  app: Express;
  metrics: ServiceMetrics & { worker: WorkerMetrics };
  /** Stops the worker within the budget, then closes every adapter (each even if another fails). */
  close(timeoutMs?: number): Promise<void>;
}

function createPolicies(config: WorkerConfig) {
  const breaker = {
    consecutiveFailures: config.BREAKER_CONSECUTIVE_FAILURES,
    halfOpenAfterMs: config.BREAKER_HALF_OPEN_AFTER_MS,
  };
  return {
    db: createResiliencePolicy({
      name: 'db',
      timeoutMs: config.DB_TIMEOUT_MS,
      maxRetries: config.DB_MAX_RETRIES,
      initialDelayMs: 50,
      maxDelayMs: 1_000,
      ...breaker,
    }),
    // One quick try: a slow Redis must not hold the message; the step is skipped instead.
    redis: createResiliencePolicy({
      name: 'redis',
      timeoutMs: config.REDIS_TIMEOUT_MS,
      maxRetries: 0,
      initialDelayMs: 50,
      maxDelayMs: 200,
      ...breaker,
    }),
    amqp: createResiliencePolicy({
      name: 'amqp',
      timeoutMs: 5_000,
      maxRetries: 2,
      initialDelayMs: 100,
      maxDelayMs: 2_000,
      ...breaker,
    }),
  };
}

async function createDatabase(
  config: WorkerConfig,
  policy: ResiliencePolicy,
  metrics: WorkerMetrics,
): Promise<{ store: WorkerStore; outbox: OutboxStore; retention: RetentionRule[] }> {
  // The worker may delete its own published outbox rows and finished message ids once old.
  const retention = (pool: Parameters<typeof retentionRule>[0]): RetentionRule[] => [
    retentionRule(pool, { kind: 'outbox', producer: workerProducer }, config.RETENTION_OUTBOX_SEC),
    retentionRule(pool, { kind: 'processedMessages' }, config.RETENTION_PROCESSED_SEC),
  ];
  if (dialectOf(config.DATABASE_URL) === 'mssql') {
    // mssql needs an open pool before its first request; the migrations just proved it reachable.
    const pool = await new mssql.ConnectionPool(config.DATABASE_URL).connect();
    return {
      store: createMssqlWorkerStore({ pool, policy }),
      outbox: createMssqlOutboxStore(pool),
      retention: retention(pool),
    };
  }
  const pool = createPostgresPool(
    postgresPoolConfig({
      url: config.DATABASE_URL,
      max: config.DB_POOL_SIZE,
      timeoutMs: config.DB_TIMEOUT_MS,
    }),
  );
  const store = createPostgresWorkerStore({
    pool,
    policy,
    onBatch: (step, size) => metrics.dbGroupSize.observe({ step }, size),
  });
  return { store, outbox: createPostgresOutboxStore(pool), retention: retention(pool) };
}

/**
 * The database may still be starting (compose, `npm run system`): retry with backoff for about
 * two minutes instead of crashing (code review G-18), then give up with the last error.
 */
async function migrateWithRetry(databaseUrl: string, logger: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate({ databaseUrl, logger });
      return;
    } catch (error) {
      if (attempt >= 30) throw error;
      const delayMs = computeBackoffDelayMs(attempt, { initialDelayMs: 500, maxDelayMs: 5_000 });
      logger.warn({ err: error, attempt, delayMs }, 'migrations failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Builds every adapter from the configuration and wires the worker (main.ts and the integration tests). */
export async function createWorkerRuntime(
  config: WorkerConfig,
  options: WorkerRuntimeOptions,
): Promise<WorkerRuntime> {
  const { logger } = options;
  if (options.migrate !== false) await migrateWithRetry(config.DATABASE_URL, logger);
  const serviceMetrics = createServiceMetrics('worker');
  const metrics = { ...serviceMetrics, worker: createWorkerMetrics(serviceMetrics) };
  const policies = createPolicies(config);
  for (const policy of Object.values(policies)) {
    trackBreaker(serviceMetrics, policy);
    policy.onTransition((t) =>
      logger.warn({ event: 'breaker_transition', ...t }, `breaker ${t.breaker} ${t.from} → ${t.to}`),
    );
  }
  const database = await createDatabase(config, policies.db, metrics.worker);
  const store = options.decorateStore ? options.decorateStore(database.store) : database.store;
  let redisErrors = 0;
  const redis = createWorkerRedis(config.REDIS_URL, (error) => {
    if (redisErrors++ % 100 === 0) logger.warn({ err: error, count: redisErrors }, 'Redis connection error');
  });
  const cache = createRedisStudentCache({
    redis,
    policy: policies.redis,
    instanceId: `worker:${randomUUID()}`,
  });
  const pool = createAmqpChannelPool({
    url: config.AMQP_URL,
    name: 'worker-publisher',
    maxConnections: 1,
    logger,
  });
  const publisher = createResilientPublisher({ pool, policy: policies.amqp });
  const relay = createOutboxRelay({
    store: database.outbox,
    producer: workerProducer,
    publisher,
    policy: policies.amqp,
    logger,
    metrics: createOutboxMetrics(serviceMetrics.registry),
    batchSize: config.OUTBOX_BATCH_SIZE,
  });
  const worker = createWorker({
    amqpUrl: config.AMQP_URL,
    prefetch: config.WORKER_PREFETCH,
    names: options.names ?? workerTopologyNames(config.WORKER_TOPOLOGY_PREFIX),
    retry: { maxAttempts: config.WORKER_MAX_ATTEMPTS, delaysMs: config.WORKER_RETRY_DELAYS_MS },
    store,
    cache,
    publisher,
    relay,
    metrics: metrics.worker,
    logger,
  });
  const checks = createWorkerHealthChecks({
    store,
    cache,
    consumer: worker.consumer,
    relay,
    policies: Object.values(policies),
  });
  const app = createApp({ checks, registry: serviceMetrics.registry });
  const retention = createRetentionSweeper({
    rules: database.retention,
    intervalMs: config.RETENTION_SWEEP_MS,
    batchSize: config.RETENTION_BATCH,
    logger,
  });
  retention.start();

  let closing: Promise<void> | undefined;
  const closeAll = async (timeoutMs: number) => {
    const steps: [string, () => Promise<void>][] = [
      ['worker', () => worker.stop(timeoutMs)],
      ['retention', () => retention.stop()],
      ['amqp publisher', () => pool.close()],
      ['redis', () => cache.close()],
      ['database', () => store.close()],
    ];
    for (const [name, run] of steps) {
      await run().catch((error: unknown) => logger.error({ err: error, step: name }, 'close step failed'));
    }
  };
  return { worker, app, metrics, close: (timeoutMs = 10_000) => (closing ??= closeAll(timeoutMs)) };
}
