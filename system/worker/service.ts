import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Registry } from 'prom-client';
import { workerTopologyNames, type WorkerTopologyNames } from '../../contracts/topology.ts';
import { createAmqpChannelPool } from '../shared/amqp-channel-pool.ts';
import { countPublishes } from '../shared/amqp-publish.ts';
import { createResilientPublisher } from '../shared/amqp-resilient-publisher.ts';
import { observeBreakers } from '../shared/breaker-observer.ts';
import { closeHttp, listenHttp } from '../shared/http-lifecycle.ts';
import { createJourneyLog } from '../shared/journey-log.ts';
import type { Logger } from '../shared/logger.ts';
import { createServiceMetrics } from '../shared/metrics.ts';
import { migrateWithRetry } from '../shared/migrate.ts';
import { createOutboxMetrics } from '../shared/outbox/outbox-metrics.ts';
import { createOutboxRelay } from '../shared/outbox/outbox-relay.ts';
import { countCommands } from '../shared/redis-command-counting.ts';
import { createRetentionSweeper } from '../shared/retention.ts';
import { closeInOrder, type Service } from '../shared/service-lifecycle.ts';
import { createApp } from './app.ts';
import type { WorkerConfig } from './config.ts';
import { connectWorkerDatabase } from './database.ts';
import { buildWorkerPolicies } from './policies.ts';
import { createRedisStudentCache, createWorkerRedis } from './redis-student-cache.ts';
import { createWorkerHealthChecks } from './worker-health.ts';
import { createWorkerMetrics } from './worker-metrics.ts';
import { workerProducer, type WorkerStore } from './worker-store.ts';
import { createWorker } from './worker.ts';
import {
  applyHttpServerLimits,
  httpServerLimitsOf,
  httpServerOptions,
} from '../shared/http-server-limits.ts';

/** What the integration tests change beyond configuration. */
export interface WorkerServiceOverrides {
  /** Replaces the queue and exchange names derived from WORKER_TOPOLOGY_PREFIX. */
  names?: WorkerTopologyNames;
  /** Wraps the database adapter (to inject failures). */
  decorateStore?: (store: WorkerStore) => WorkerStore;
}

export interface WorkerService extends Service {
  /** For the integration tests and the bench: the registry behind `/metrics`. */
  testing: { registry: Registry };
}

/**
 * Migrates, connects every adapter and wires the worker and its ops HTTP server; `listen` binds
 * the port, then starts consuming, the outbox relay and the retention sweeper.
 */
export async function createWorkerService(
  config: WorkerConfig,
  logger: Logger,
  overrides: WorkerServiceOverrides = {},
): Promise<WorkerService> {
  await migrateWithRetry({ databaseUrl: config.DATABASE_URL, logger });
  const serviceMetrics = createServiceMetrics('worker');
  const metrics = createWorkerMetrics(serviceMetrics);
  const policies = buildWorkerPolicies(config);
  const allPolicies = [policies.db, policies.redis, policies.amqp];
  const stopObserving = observeBreakers(allPolicies, { metrics: serviceMetrics, logger });
  const database = await connectWorkerDatabase(config, policies.db, metrics, serviceMetrics.sqlStatements);
  const store = overrides.decorateStore?.(database.store) ?? database.store;
  let redisErrors = 0;
  const redis = countCommands(
    createWorkerRedis(config.REDIS_URL, (error) => {
      if (redisErrors++ % 100 === 0)
        logger.warn({ err: error, count: redisErrors }, 'Redis connection error');
    }),
    serviceMetrics.redisCommands,
  );
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
  const outboxMetrics = createOutboxMetrics(serviceMetrics.registry);
  const publisher = createResilientPublisher({
    pool: countPublishes(pool, (exchange, n) =>
      outboxMetrics.publishes.inc({ producer: workerProducer, exchange }, n),
    ),
    policy: policies.amqp,
  });
  const journey = createJourneyLog(config.JOURNEY_LOG_SIZE);
  const relay = createOutboxRelay({
    store: database.outbox,
    producer: workerProducer,
    publisher,
    policy: policies.amqp,
    logger,
    metrics: outboxMetrics,
    journey: { log: journey, published: 'worker.published' },
    batchSize: config.OUTBOX_BATCH_SIZE,
  });
  const worker = createWorker({
    amqpUrl: config.AMQP_URL,
    prefetch: config.WORKER_PREFETCH,
    names: overrides.names ?? workerTopologyNames(config.WORKER_TOPOLOGY_PREFIX),
    retry: { maxAttempts: config.WORKER_MAX_ATTEMPTS, delaysMs: config.WORKER_RETRY_DELAYS_MS },
    store,
    cache,
    publisher,
    relay,
    metrics,
    logger,
    journey,
  });
  const checks = createWorkerHealthChecks({
    store,
    cache,
    consumer: worker.consumer,
    relay,
    policies: allPolicies,
  });
  const limits = httpServerLimitsOf(config);
  const server = http.createServer(
    httpServerOptions(limits),
    createApp({ checks, registry: serviceMetrics.registry, journey }),
  );
  applyHttpServerLimits(server, limits);
  const retention = createRetentionSweeper({
    rules: database.retention,
    intervalMs: config.RETENTION_SWEEP_MS,
    batchSize: config.RETENTION_BATCH,
    logger,
  });

  return {
    async listen(port = config.PORT) {
      // The ops endpoint first: while the broker is still unreachable, /health/ready says so.
      const bound = await listenHttp(server, { port, host: config.HOST });
      retention.start();
      await worker.start();
      logger.info({ port: bound, prefetch: config.WORKER_PREFETCH }, 'worker listening');
      return bound;
    },
    // The worker drains first, so the ops endpoint answers until it has stopped.
    close: closeInOrder(
      [
        { name: 'worker', run: () => worker.stop(config.WORKER_SHUTDOWN_TIMEOUT_MS) },
        { name: 'http', run: () => closeHttp(server, 1_000) },
        { name: 'retention', run: () => retention.stop() },
        { name: 'amqp publisher', run: () => pool.close() },
        { name: 'redis', run: () => cache.close() },
        { name: 'database', run: () => store.close() },
        { name: 'breaker observers', run: stopObserving },
      ],
      logger,
    ),
    testing: { registry: serviceMetrics.registry },
  };
}
