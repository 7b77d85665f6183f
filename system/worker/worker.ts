import type { AmqpConnectFn } from '../shared/amqp-connect.ts';
import type { AmqpConsumer } from '../shared/amqp-consumer.ts';
import type { AmqpPublisher } from '../shared/amqp-publish.ts';
import type { BackoffOptions } from '../shared/backoff-delay.ts';
import type { JourneyLog } from '../shared/journey-log.ts';
import type { Logger } from '../shared/logger.ts';
import type { OutboxRelay } from '../shared/outbox/outbox-relay.ts';
import { createWorkerConsumer } from './consumer.ts';
import type { RetryOptions } from './failure-policy.ts';
import { createHandlers } from './handlers/registry.ts';
import type { StudentCache } from './student-cache.ts';
import type { WorkerMetrics } from './worker-metrics.ts';
import type { WorkerStore } from './worker-store.ts';
import { type WorkerTopologyNames } from '../../contracts/topology.ts';

export interface WorkerDeps {
  amqpUrl: string;
  prefetch: number;
  names: WorkerTopologyNames;
  retry: RetryOptions;
  store: WorkerStore;
  cache: StudentCache;
  /** Confirmed publishes of retry and dead-letter copies. */
  publisher: AmqpPublisher;
  /** The shared outbox relay for producer 'worker' (publishes the notifications). */
  relay: OutboxRelay;
  metrics: WorkerMetrics;
  logger: Logger;
  reconnect?: BackoffOptions;
  heartbeatSec?: number;
  connect?: AmqpConnectFn;
  journey?: JourneyLog;
}

export interface Worker {
  readonly consumer: AmqpConsumer;
  start(): Promise<void>;
  /**
   * Stops taking messages, finishes (and acks) the ones in flight, gives the relay a moment to
   * publish their notifications, then stops it; all within `timeoutMs`. Idempotent. Whatever is
   * left in the outbox is published by the next relay that runs (nothing is lost).
   */
  stop(timeoutMs?: number): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The worker: a consumer running the handlers, and the outbox relay that publishes notifications. */
export function createWorker(deps: WorkerDeps): Worker {
  const { relay, logger, metrics } = deps;
  const handlers = createHandlers({
    store: deps.store,
    cache: deps.cache,
    notificationsExchange: deps.names.notificationsExchange,
    wakeRelay: () => relay.wake(),
    onCacheSkipped: (reason) => metrics.cacheSkipped.inc({ reason }),
    logger,
  });
  const consumer = createWorkerConsumer({
    url: deps.amqpUrl,
    prefetch: deps.prefetch,
    names: deps.names,
    retry: deps.retry,
    handlers,
    publisher: deps.publisher,
    metrics,
    logger,
    reconnect: deps.reconnect,
    heartbeatSec: deps.heartbeatSec,
    connect: deps.connect,
    ...(deps.journey ? { journey: deps.journey } : {}),
  });
  metrics.consumerConnected.set(0);

  async function drainRelay(deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      relay.wake();
      const lag = await relay.lag().catch(() => undefined);
      if (!lag || lag.pending === 0) return;
      await sleep(50);
    }
  }

  let stopping: Promise<void> | undefined;
  return {
    consumer,
    async start() {
      relay.start();
      await consumer.start();
    },
    stop: (timeoutMs = 10_000) =>
      (stopping ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        await consumer.stop(Math.max(100, timeoutMs * 0.7));
        await drainRelay(deadline - 200);
        await relay.stop();
        logger.info('worker stopped');
      })()),
  };
}
