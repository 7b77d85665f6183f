import type { Channel, ConsumeMessage } from 'amqplib';
import { createAmqpConsumer, type AmqpConsumer } from '../shared/amqp-consumer.ts';
import { runWithContext } from '../shared/correlation.ts';
import { parseEnvelope } from '../shared/envelope.ts';
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
}

/**
 * The queue of one instance (see `assertNotificationsTopology`: it survives a broker cut for a
 * bounded time), bound to `exchange` — `notifications`, or a test's own exchange — and
 * dead-lettering to `notifications.dlx` → `notifications.dlq`.
 */
export const assertInstanceQueue = (channel: Channel, exchange: string, queue: string): Promise<void> =>
  assertNotificationsTopology(channel, queue, exchange);

/**
 * Consumes notifications with a bounded prefetch and acks each once the broadcaster has written
 * it to every connected client. A malformed message is nacked without requeue, so the broker
 * dead-letters it instead of redelivering it forever.
 */
export function createNotificationConsumer(options: NotificationConsumerOptions): AmqpConsumer {
  const { broadcaster, metrics, logger } = options;

  async function onMessage(message: ConsumeMessage, channel: Channel): Promise<void> {
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
    await runWithContext({ correlationId: envelope.correlationId, causationId: envelope.messageId }, () =>
      broadcaster.publish(envelope),
    );
    channel.ack(message);
    metrics.consumed.inc({ type: envelope.type, result: 'ok' });
  }

  return createAmqpConsumer({
    url: options.url,
    name: `notifications:${options.queue}`,
    prefetch: options.prefetch,
    setup: async (channel) => {
      await assertInstanceQueue(channel, options.exchange, options.queue);
      return options.queue;
    },
    onMessage,
    logger,
    reconnect: { initialDelayMs: 200, maxDelayMs: 10_000 },
    heartbeatSec: options.heartbeatSec,
  });
}
