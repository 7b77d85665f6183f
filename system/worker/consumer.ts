import type { Channel, ConsumeMessage, Options } from 'amqplib';
import type { AmqpConnectFn } from '../shared/amqp-connect.ts';
import { createAmqpConsumer, type AmqpConsumer } from '../shared/amqp-consumer.ts';
import type { AmqpPublisher } from '../shared/amqp-publish.ts';
import type { BackoffOptions } from '../shared/backoff-delay.ts';
import { runWithContext } from '../shared/correlation.ts';
import { domainEventTypes, parseEnvelope, type DomainEventType } from '../../contracts/envelope.ts';
import type { Logger } from '../shared/logger.ts';
import { assertWorkerTopology } from '../shared/topology.ts';
import {
  attemptsSoFar,
  decideOnFailure,
  failureHeaders,
  type DeadLetterKind,
  type RetryOptions,
} from './failure-policy.ts';
import type { MessageHandler } from './handlers/handler-deps.ts';
import { epochUs } from '../../contracts/clock.ts';
import type { JourneyLog } from '../shared/journey-log.ts';
import { inConsumerSpan } from '../shared/spans.ts';
import { extractTraceContext } from '../shared/tracing.ts';
import type { WorkerMetrics } from './worker-metrics.ts';
import { workerRetryQueueName, type WorkerTopologyNames } from '../../contracts/topology.ts';

export interface WorkerConsumerOptions {
  url: string;
  /** Unacked messages in flight at once; 1 keeps each student's events in order. */
  prefetch: number;
  names: WorkerTopologyNames;
  retry: RetryOptions;
  handlers: Record<DomainEventType, MessageHandler>;
  /** Confirmed publishes of retry and dead-letter copies, before the original is acked. */
  publisher: AmqpPublisher;
  metrics: WorkerMetrics;
  logger: Logger;
  /** Reconnect backoff, in milliseconds (default 200 doubling to 5,000). */
  reconnect?: BackoffOptions;
  heartbeatSec?: number;
  connect?: AmqpConnectFn;
  /** Marks when each domain event arrived. */
  journey?: JourneyLog;
}

const isDomainEventType = (type: string): type is DomainEventType =>
  (domainEventTypes as readonly string[]).includes(type);

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

/** RabbitMQ's own dead-letter bookkeeping is dropped from copies we publish ourselves. */
const brokerHeader = /^x-(death|first-death|last-death)/;

function copyOptions(message: ConsumeMessage, extra: Record<string, unknown>): Options.Publish {
  const { properties, fields } = message;
  const headers = Object.fromEntries(
    Object.entries(properties.headers ?? {}).filter(([name]) => !brokerHeader.test(name)),
  );
  headers[failureHeaders.originalExchange] ??= fields.exchange;
  headers[failureHeaders.originalRoutingKey] ??= fields.routingKey;
  return {
    messageId: properties.messageId as string | undefined,
    correlationId: properties.correlationId as string | undefined,
    type: properties.type as string | undefined,
    timestamp: properties.timestamp as number | undefined,
    appId: properties.appId as string | undefined,
    contentType: (properties.contentType as string | undefined) ?? 'application/json',
    persistent: true,
    headers: { ...headers, ...extra },
  };
}

/**
 * Consumes `worker.students`: parses the envelope, runs the handler in the message's correlation
 * context, and acks only after the handler's effects committed. Failures are retried through the
 * delay queues (attempt count in `x-attempts`) and then dead-lettered with the reason in headers;
 * a malformed message is dead-lettered at once. Retry and dead-letter copies are confirmed by the
 * broker before the original is acked, so a message is never lost between the two.
 */
export function createWorkerConsumer(options: WorkerConsumerOptions): AmqpConsumer {
  const { names, retry, publisher, metrics, logger } = options;
  const count = (type: string, result: string) => metrics.messages.inc({ type, result });
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  async function deadLetter(
    message: ConsumeMessage,
    channel: Channel,
    failure: { type: string; kind: DeadLetterKind; reason: string; attempts: number },
  ): Promise<void> {
    const headers = {
      [failureHeaders.reason]: failure.reason,
      [failureHeaders.kind]: failure.kind,
      [failureHeaders.attempts]: failure.attempts,
      [failureHeaders.deadLetteredAt]: new Date().toISOString(),
    };
    logger.warn({ messageId: message.properties.messageId, ...failure }, 'message dead-lettered');
    try {
      const { exchange, routingKey } = {
        exchange: names.studentsDeadLetterExchange,
        routingKey: failure.type,
      };
      await publisher.publish(exchange, routingKey, message.content, copyOptions(message, headers));
      channel.ack(message);
    } catch (error) {
      // Could not publish our copy: let the queue's own dead-lettering take it (reason `rejected`).
      logger.error({ err: error }, 'dead-letter publish failed; rejecting to the queue DLX');
      channel.nack(message, false, false);
    }
    count(failure.type, 'dead_lettered');
  }

  async function retryLater(
    message: ConsumeMessage,
    channel: Channel,
    type: string,
    attempts: number,
    delayMs: number,
    error: unknown,
  ) {
    const headers = { [failureHeaders.attempts]: attempts, [failureHeaders.lastError]: errorText(error) };
    logger.warn(
      { err: error, messageId: message.properties.messageId, attempts, delayMs },
      'message failed; retrying later',
    );
    try {
      await publisher.publish(
        '',
        workerRetryQueueName(names, delayMs),
        message.content,
        copyOptions(message, headers),
      );
      channel.ack(message);
      count(type, 'retried');
    } catch (publishError) {
      // The broker is in trouble: hand the message back (no hot loop: after a pause).
      logger.error({ err: publishError }, 'retry publish failed; requeueing');
      await sleep(1_000);
      channel.nack(message, false, true);
    }
  }

  async function onMessage(message: ConsumeMessage, channel: Channel): Promise<void> {
    const started = performance.now();
    const receivedAtUs = epochUs();
    const attempt = attemptsSoFar(message.properties.headers) + 1;
    const parsed = parseEnvelope(message.content);
    const type = parsed.ok ? parsed.envelope.type : 'unknown';
    if (parsed.ok)
      options.journey?.mark('worker.received', parsed.envelope.correlationId, type, receivedAtUs);
    try {
      if (!parsed.ok) {
        return await deadLetter(message, channel, {
          type,
          kind: 'malformed',
          reason: parsed.reason,
          attempts: attempt,
        });
      }
      const event = parsed.envelope;
      if (!isDomainEventType(event.type)) {
        const reason = `no handler for message type ${event.type}`;
        return await deadLetter(message, channel, { type, kind: 'unknown_type', reason, attempts: attempt });
      }
      const handler = options.handlers[event.type];
      const producer = extractTraceContext(message.properties.headers);
      const context = {
        correlationId: event.correlationId,
        causationId: event.messageId,
        cause: 'message' as const,
        ...(event.traceparent ? { traceparent: event.traceparent } : {}),
      };
      const outcome = await inConsumerSpan(
        `${names.workerQueue} process`,
        producer,
        event,
        { 'messaging.destination.name': names.workerQueue, 'event_lab.attempt': attempt },
        () => runWithContext(context, () => handler(event)),
      ).catch((error: unknown) => error as Error);
      if (typeof outcome === 'string') {
        channel.ack(message);
        return count(type, outcome);
      }
      const decision = decideOnFailure(retry, attempt, outcome);
      if (decision.action === 'retry') {
        return await retryLater(message, channel, type, decision.attempts, decision.delayMs, outcome);
      }
      const reason = `${decision.kind === 'attempts_exhausted' ? `failed ${attempt} times; last error: ` : ''}${errorText(outcome)}`;
      await deadLetter(message, channel, { type, kind: decision.kind, reason, attempts: decision.attempts });
    } finally {
      metrics.processingDuration.observe({ type }, (performance.now() - started) / 1_000);
    }
  }

  const consumer = createAmqpConsumer({
    url: options.url,
    name: 'worker',
    prefetch: options.prefetch,
    setup: async (channel) => {
      await assertWorkerTopology(channel, { names, retryDelaysMs: retry.delaysMs });
      return names.workerQueue;
    },
    onMessage,
    logger,
    reconnect: options.reconnect ?? { initialDelayMs: 200, maxDelayMs: 5_000 },
    heartbeatSec: options.heartbeatSec,
    connect: options.connect,
  });
  consumer.onStateChange(({ to }) => metrics.consumerConnected.set(to === 'connected' ? 1 : 0));
  return consumer;
}
