import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { createAmqpConsumer, type AmqpConsumer } from '../shared/amqp-consumer.ts';
import { runWithContext } from '../shared/correlation.ts';
import { parseEnvelope } from '../../contracts/envelope.ts';
import { epochUs } from '../../contracts/clock.ts';
import type { JourneyLog } from '../shared/journey-log.ts';
import { inConsumerSpan } from '../shared/spans.ts';
import { extractTraceContext } from '../shared/tracing.ts';
import type { Logger } from '../shared/logger.ts';
import { assertNotificationsTopology } from '../shared/topology.ts';
import type { Broadcaster } from './broadcaster.ts';
import type { NotificationsMetrics } from './notifications-metrics.ts';

export interface NotificationConsumerOptions {
  url: string;
  /** `notifications` in production; tests bind a queue to their own exchange. */
  exchange: string;
  /** This instance's own queue (`notifications.<instanceId>`): every instance sees every notification. */
  queue: string;
  prefetch: number;
  /** AMQP heartbeat, in seconds. */
  heartbeatSec: number;
  broadcaster: Broadcaster;
  metrics: NotificationsMetrics;
  logger: Logger;
  /** How many recent messageIds are remembered to drop redeliveries (default 10,000). */
  recentIdsCapacity?: number;
  /** Milliseconds the queue outlives this instance's last connection (default 120,000). */
  queueExpiresMs?: number;
  /**
   * Called when a reconnect finds the queue gone: it expired while the broker was away, and what
   * was published meanwhile is lost.
   */
  onQueueLost?: () => void;
  /** Marks when each notification arrived. */
  journey?: JourneyLog;
}

/**
 * The last `capacity` messageIds, oldest forgotten first. Publishing and consuming are
 * at-least-once: a relay whose confirm was lost to a broker cut publishes again, and an ack lost
 * the same way makes the broker redeliver. Notification ids are deterministic (one per causing
 * message and type), so a repeat within the window is the same notification and is dropped.
 */
export function createRecentIds(capacity: number): { seen(id: string): boolean } {
  const ids = new Set<string>();
  return {
    seen(id) {
      if (ids.has(id)) return true;
      ids.add(id);
      if (ids.size > capacity) ids.delete(ids.values().next().value as string);
      return false;
    },
  };
}

/**
 * The queue of one instance (see `assertNotificationsTopology`: it survives a broker cut for a
 * bounded time), bound to `exchange` — `notifications`, or a test's own exchange — and
 * dead-lettering to `notifications.dlx` → `notifications.dlq`.
 */
export const assertInstanceQueue = (
  channel: Channel,
  exchange: string,
  queue: string,
  expiresMs?: number,
): Promise<void> => assertNotificationsTopology(channel, queue, exchange, expiresMs);

/** A passive declare on a channel of its own: on a missing queue the broker closes that channel. */
async function queueExists(model: ChannelModel, queue: string): Promise<boolean> {
  const probe = await model.createChannel();
  probe.on('error', () => undefined);
  try {
    await probe.checkQueue(queue);
    return true;
  } catch {
    return false;
  } finally {
    await probe.close().catch(() => undefined);
  }
}

/**
 * Consumes notifications with a bounded prefetch and acks each once the broadcaster has written
 * it to every connected client; a notification seen moments ago (same messageId) is acked and
 * dropped, so a broker cut never shows a listener the same notification twice. A malformed message is nacked without requeue, so the broker
 * dead-letters it instead of redelivering it forever.
 */
export function createNotificationConsumer(options: NotificationConsumerOptions): AmqpConsumer {
  const { broadcaster, metrics, logger } = options;
  const recent = createRecentIds(options.recentIdsCapacity ?? 10_000);
  let setups = 0;

  async function onMessage(message: ConsumeMessage, channel: Channel): Promise<void> {
    const receivedAtUs = epochUs();
    const parsed = parseEnvelope(message.content);
    if (!parsed.ok) {
      metrics.consumed.inc({ type: 'invalid', result: 'dead_lettered' });
      logger.warn(
        { messageId: message.properties.messageId as unknown, reason: parsed.reason },
        'malformed notification dead-lettered',
      );
      channel.nack(message, false, false);
      return;
    }
    const { envelope } = parsed;
    options.journey?.mark('notifications.received', envelope.correlationId, envelope.type, receivedAtUs);
    if (recent.seen(envelope.messageId)) {
      channel.ack(message);
      metrics.consumed.inc({ type: envelope.type, result: 'duplicate' });
      return;
    }
    const context = {
      correlationId: envelope.correlationId,
      causationId: envelope.messageId,
      cause: 'message' as const,
    };
    await inConsumerSpan(
      `${options.queue} process`,
      extractTraceContext(message.properties.headers),
      envelope,
      { 'messaging.destination.name': options.queue },
      () => runWithContext(context, () => broadcaster.publish(envelope)),
    );
    channel.ack(message);
    metrics.consumed.inc({ type: envelope.type, result: 'ok' });
  }

  return createAmqpConsumer({
    url: options.url,
    name: `notifications:${options.queue}`,
    prefetch: options.prefetch,
    setup: async (channel, model) => {
      // The first connection creates the queue; a later one that finds it gone lost what the
      // broker routed to it meanwhile: nothing else would ever tell the clients.
      const lost = setups++ > 0 && !(await queueExists(model, options.queue));
      await assertInstanceQueue(channel, options.exchange, options.queue, options.queueExpiresMs);
      if (lost) {
        logger.warn({ queue: options.queue }, 'notifications queue expired while away; announcing a gap');
        options.onQueueLost?.();
      }
      return options.queue;
    },
    onMessage,
    logger,
    reconnect: { initialDelayMs: 200, maxDelayMs: 10_000 },
    heartbeatSec: options.heartbeatSec,
  });
}
