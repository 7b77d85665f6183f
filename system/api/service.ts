import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Registry } from 'prom-client';
import { topology } from '../../contracts/topology.ts';
import { startBreakerProbe } from '../shared/breaker-probe.ts';
import { observeBreakers } from '../shared/breaker-observer.ts';
import { closeHttp, listenHttp } from '../shared/http-lifecycle.ts';
import { createJourneyLog } from '../shared/journey-log.ts';
import type { Logger } from '../shared/logger.ts';
import { migrateWithRetry } from '../shared/migrate.ts';
import type { OutboxStats } from '../shared/outbox/outbox-store.ts';
import { createRetentionSweeper } from '../shared/retention.ts';
import { closeInOrder, type Service } from '../shared/service-lifecycle.ts';
import { createApiMetrics } from './api-metrics.ts';
import { createCaching } from './caching.ts';
import type { ApiConfig } from './config.ts';
import { connectApiDatabase } from './database.ts';
import { createApiHealthChecks } from './health-checks.ts';
import { createMessaging } from './messaging.ts';
import { buildPolicies } from './policies.ts';
import { createHttpLayer } from './server.ts';
import { instrumentStudentStore } from './students/instrumented-student-store.ts';
import { createStudentService } from './students/student-service.ts';

export interface ApiService extends Service {
  /**
   * For the test harness and the benches: the registry behind `/metrics`, the outbox backlog, the
   * HTTP server (its bound address) and the response cache (its size in bytes).
   */
  testing: {
    registry: Registry;
    outboxLag(): Promise<OutboxStats>;
    server: http.Server;
    responses: { bytes(): number };
  };
}

/**
 * Migrates, connects every adapter and builds the HTTP server; `listen` starts the background
 * work (retention, the outbox relay or the breaker probe) and binds the port.
 */
export async function createApiService(config: ApiConfig, logger: Logger): Promise<ApiService> {
  const instanceId = config.INSTANCE_ID ?? `api-${randomBytes(4).toString('hex')}`;
  await migrateWithRetry({ databaseUrl: config.DATABASE_URL, logger });
  const metrics = createApiMetrics();
  const database = await connectApiDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DB_POOL_SIZE,
    timeoutMs: config.DB_TIMEOUT_MS,
    statements: metrics.sqlStatements,
  });
  const store = instrumentStudentStore(database.store, metrics.dbQueries);
  const retention = createRetentionSweeper({
    rules: database.retentionRules({
      outboxSec: config.RETENTION_OUTBOX_SEC,
      idempotencySec: config.RETENTION_IDEMPOTENCY_SEC,
    }),
    intervalMs: config.RETENTION_SWEEP_MS,
    batchSize: config.RETENTION_BATCH,
    logger,
  });
  const { amqpPolicy, redisPolicy } = buildPolicies(config);
  const stopObserving = observeBreakers([amqpPolicy, redisPolicy], { metrics, logger });
  const journey = createJourneyLog(config.JOURNEY_LOG_SIZE);
  const messaging = createMessaging({
    config,
    instanceId,
    journey,
    outbox: database.outbox,
    policy: amqpPolicy,
    metrics,
    logger,
  });
  const { pool, publisher, relay } = messaging;
  const caching = createCaching({
    config,
    instanceId,
    load: (id) => store.get(id),
    policy: redisPolicy,
    metrics,
    logger,
  });

  const retryAfterSec = Math.max(1, Math.ceil(config.AMQP_BREAKER_HALF_OPEN_MS / 1000));
  const service = createStudentService({
    store,
    read: (id) => caching.cache.get(id),
    invalidate: (id, change) => caching.invalidate(id, change),
    publishMode: config.PUBLISH_MODE,
    publisher,
    amqpPolicy,
    wakeRelay: () => relay.wake(),
    retryAfterSec,
    confirms: metrics.outbox.publishConfirms,
    journey,
    logger,
  });
  const checks = createApiHealthChecks({
    store,
    pool,
    l2: caching.l2,
    relay,
    policies: [amqpPolicy, redisPolicy],
    amqpRequired: config.PUBLISH_MODE === 'direct',
    outboxLagDegradedSec: config.OUTBOX_LAG_DEGRADED_SEC,
  });
  const { server } = createHttpLayer({
    config,
    service,
    checks,
    responses: caching.responses,
    metrics,
    logger,
    retryAfterSec,
    journey,
  });

  let stopProbe: () => void = () => undefined;
  const startBackgroundWork = () => {
    retention.start();
    if (config.PUBLISH_MODE === 'outbox') relay.start();
    // In outbox mode the relay makes the breaker's trial calls; in direct mode writes answer 503
    // while it is open, so a background probe does.
    if (config.PUBLISH_MODE === 'direct') {
      stopProbe = startBreakerProbe({
        policy: amqpPolicy,
        halfOpenAfterMs: config.AMQP_BREAKER_HALF_OPEN_MS,
        probe: (signal) => pool.withChannel((ch) => ch.checkExchange(topology.studentsExchange), signal),
        logger,
      });
    }
  };

  return {
    async listen(port = config.PORT) {
      startBackgroundWork();
      const bound = await listenHttp(server, { port, host: config.HOST });
      const { PUBLISH_MODE: publishMode, DEDUPE_MODE: dedupeMode } = config;
      logger.info({ port: bound, instanceId, publishMode, dedupeMode }, 'api listening');
      return bound;
    },
    close: closeInOrder(
      [
        { name: 'http', run: () => closeHttp(server, config.SHUTDOWN_TIMEOUT_MS / 2) },
        { name: 'breaker probe', run: () => stopProbe() },
        { name: 'outbox relay', run: () => relay.stop() },
        { name: 'retention', run: () => retention.stop() },
        { name: 'amqp', run: () => pool.close() },
        { name: 'redis', run: () => caching.close() },
        { name: 'database', run: () => store.close() },
        { name: 'breaker observers', run: stopObserving },
      ],
      logger,
    ),
    testing: {
      registry: metrics.registry,
      outboxLag: () => relay.lag(),
      server,
      responses: caching.responses,
    },
  };
}
