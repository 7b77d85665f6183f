import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import type { Logger } from '../shared/logger.ts';
import { migrate } from '../shared/migrate.ts';
import { createApiMetrics, type ApiMetrics } from './api-metrics.ts';
import { createCaching } from './caching.ts';
import { createMessaging } from './messaging.ts';
import type { OutboxRelay } from '../shared/outbox/outbox-relay.ts';
import type { ResponseCache } from './http/response-cache.ts';
import type { ApiConfig } from './config.ts';
import { connectDatabase } from './database.ts';
import { createApiHealthChecks } from './health-checks.ts';
import { closeServer, createHttpLayer } from './server.ts';
import { createRetentionSweeper } from '../shared/retention.ts';
import { instrumentStudentStore } from './students/instrumented-student-store.ts';
import { createStudentService } from './students/student-service.ts';
import { buildPolicies, observePolicies } from './policies.ts';
import { startBreakerProbe } from '../shared/breaker-probe.ts';
import { topology } from '../shared/topology.ts';

export interface ApiRuntime {
  server: http.Server;
  app: Express;
  metrics: ApiMetrics;
  relay: OutboxRelay;
  responses: ResponseCache;
  instanceId: string;
  /** Resolves with the bound port (0 picks a free one). */
  listen(port: number): Promise<number>;
  /** Stop accepting, drain, stop the relay, close pools; every step runs even if one fails. */
  close(): Promise<void>;
}

/** Builds every adapter and the HTTP server from the validated configuration (no listening yet). */
export async function createApiRuntime(config: ApiConfig, logger: Logger): Promise<ApiRuntime> {
  const instanceId = config.INSTANCE_ID ?? `api-${randomBytes(4).toString('hex')}`;
  await migrate({ databaseUrl: config.DATABASE_URL, logger });
  const metrics = createApiMetrics();
  const database = await connectDatabase(config.DATABASE_URL, config.DB_POOL_SIZE, config.DB_TIMEOUT_MS);
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
  retention.start();
  const { amqpPolicy, redisPolicy } = buildPolicies(config);
  const untrack = observePolicies([amqpPolicy, redisPolicy], metrics, logger);

  const { pool, publisher, relay } = createMessaging({
    config,
    instanceId,
    outbox: database.outbox,
    policy: amqpPolicy,
    metrics,
    logger,
  });
  const caching = createCaching({
    config,
    instanceId,
    load: (id) => store.get(id),
    policy: redisPolicy,
    metrics,
    logger,
  });
  const { responses, l2 } = caching;

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
    logger,
  });

  const checks = createApiHealthChecks({
    store,
    pool,
    l2,
    relay,
    policies: [amqpPolicy, redisPolicy],
    amqpRequired: config.PUBLISH_MODE === 'direct',
    outboxLagDegradedSec: config.OUTBOX_LAG_DEGRADED_SEC,
  });
  const { app, server } = createHttpLayer({
    config,
    service,
    checks,
    responses,
    metrics,
    logger,
    retryAfterSec,
  });
  if (config.PUBLISH_MODE === 'outbox') relay.start();
  // In outbox mode the relay makes the breaker's trial calls; in direct mode writes answer 503
  // while it is open, so a background probe does.
  const stopProbe =
    config.PUBLISH_MODE === 'direct'
      ? startBreakerProbe({
          policy: amqpPolicy,
          halfOpenAfterMs: config.AMQP_BREAKER_HALF_OPEN_MS,
          probe: (signal) => pool.withChannel((ch) => ch.checkExchange(topology.studentsExchange), signal),
          logger,
        })
      : () => undefined;

  const steps: [string, () => Promise<unknown>][] = [
    ['http', () => closeServer(server, config.SHUTDOWN_TIMEOUT_MS / 2)],
    ['breaker probe', () => Promise.resolve(stopProbe())],
    ['outbox relay', () => relay.stop()],
    ['retention', () => retention.stop()],
    ['amqp', () => pool.close()],
    ['redis', () => caching.close()],
    ['database', () => store.close()],
    ['metrics', () => Promise.resolve(untrack.forEach((u) => u()))],
  ];
  let closing: Promise<void> | undefined;
  return {
    server,
    app,
    metrics,
    relay,
    responses,
    instanceId,
    listen: (port) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject).listen(port, config.HOST, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    close: () =>
      (closing ??= (async () => {
        for (const [name, run] of steps) {
          await run().catch((error: unknown) =>
            logger.error({ err: error, step: name }, 'api close step failed'),
          );
        }
      })()),
  };
}
