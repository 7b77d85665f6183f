import { createAmqpChannelPool, type AmqpChannelPool } from '../shared/amqp-channel-pool.ts';
import { countPublishes, type AmqpPublisher } from '../shared/amqp-publish.ts';
import { createResilientPublisher } from '../shared/amqp-resilient-publisher.ts';
import type { JourneyLog } from '../shared/journey-log.ts';
import type { Logger } from '../shared/logger.ts';
import { createOutboxRelay, type OutboxRelay } from '../shared/outbox/outbox-relay.ts';
import type { OutboxStore } from '../shared/outbox/outbox-store.ts';
import type { ResiliencePolicy } from '../shared/resilience-policy.ts';
import { assertExchanges } from '../shared/topology.ts';
import type { ApiMetrics } from './api-metrics.ts';
import type { ApiConfig } from './config.ts';

export interface Messaging {
  pool: AmqpChannelPool;
  /** Confirms, through retry → breaker → timeout. */
  publisher: AmqpPublisher;
  relay: OutboxRelay;
}

/** Channel pool (3 × 5 by default), resilient publisher and the API's outbox relay (not started). */
export function createMessaging(deps: {
  config: ApiConfig;
  instanceId: string;
  outbox: OutboxStore;
  policy: ResiliencePolicy;
  metrics: ApiMetrics;
  logger: Logger;
  journey: JourneyLog;
}): Messaging {
  const { config, policy, logger } = deps;
  const pool = createAmqpChannelPool({
    url: config.AMQP_URL,
    name: deps.instanceId,
    maxConnections: config.AMQP_MAX_CONNECTIONS,
    channelsPerConnection: config.AMQP_CHANNELS_PER_CONNECTION,
    // The policy's per-attempt timeout aborts sooner; this only bounds a wait nobody aborts.
    confirmTimeoutMs: config.AMQP_TIMEOUT_MS * 2,
    onChannelCreated: assertExchanges,
    logger,
  });
  const publishes = deps.metrics.outbox.publishes;
  const publisher = createResilientPublisher({
    pool: countPublishes(pool, (exchange, n) => publishes.inc({ producer: 'api', exchange }, n)),
    policy,
  });
  const relay = createOutboxRelay({
    store: deps.outbox,
    producer: 'api',
    publisher,
    // Student events are for the worker: one no queue takes is a failure, not a delivery.
    mandatory: true,
    policy,
    logger,
    metrics: deps.metrics.outbox,
    journey: { log: deps.journey, published: 'api.published' },
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.OUTBOX_POLL_MS,
    backoff: { initialDelayMs: 100, maxDelayMs: config.OUTBOX_BACKOFF_MAX_MS },
  });
  // Connect in the background now, so the first request does not pay for connection setup.
  pool
    .withChannel(() => Promise.resolve())
    .catch((error: unknown) => logger.warn({ err: error }, 'AMQP not reachable at start; retrying on use'));
  return { pool, publisher, relay };
}
