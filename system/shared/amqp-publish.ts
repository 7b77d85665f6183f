import type { ConfirmChannel, Options } from 'amqplib';
import type { Envelope } from '../../contracts/envelope.ts';
import { AppError, NonRetryableError } from './errors.ts';

/** One message to publish. */
export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options?: Options.Publish;
}

/** What a producer needs: the outbox relay and the direct publisher depend on this port. */
export interface AmqpPublisher {
  /** Resolves once the broker confirmed the message; rejects on nack, channel close, timeout or abort. */
  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options?: Options.Publish,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Publishes all messages on one channel and resolves once every one is confirmed. */
  publishBatch(messages: readonly OutgoingMessage[], signal?: AbortSignal): Promise<void>;
}

export interface ConfirmPublishOptions {
  /** Aborts waiting (the timeout policy's signal); the channel stays usable. */
  signal?: AbortSignal | undefined;
  /** Longest wait for all confirms, in milliseconds. */
  timeoutMs: number;
}

/** AMQP reply codes that mean the caller asked for something wrong, not that the broker is down. */
const callerFaultCodes = new Set([403, 404, 406]);

/**
 * Translates an amqplib failure into ours: a channel closed for `NOT_FOUND` (unknown exchange),
 * `ACCESS_REFUSED` or `PRECONDITION_FAILED` is a {@link NonRetryableError} (retrying cannot help and
 * it must not open the breaker); anything else means the broker is unavailable.
 */
export function translateAmqpError(error: unknown, action: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && callerFaultCodes.has(code)) {
    return new NonRetryableError(`${action}: ${message}`, { cause: error });
  }
  return new AppError('dependency_unavailable', { detail: `${action}: ${message}`, cause: error });
}

/** What amqplib hands a channel's 'return' listener. */
interface ReturnedMessage {
  fields: { exchange: string; routingKey: string; replyText?: string };
  properties: { messageId?: unknown };
}

/**
 * Publishes `messages` in order on one confirm channel and resolves when the broker has confirmed
 * every one. Rejects at the first nack, when the channel closes, on timeout or abort; on a rejection
 * some messages may already be confirmed (at-least-once: consumers de-duplicate by messageId).
 * Respects backpressure: when `publish` returns false it waits for the channel's 'drain'.
 */
export function publishConfirmed(
  channel: ConfirmChannel,
  messages: readonly OutgoingMessage[],
  { signal, timeoutMs }: ConfirmPublishOptions,
): Promise<void> {
  if (messages.length === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let unconfirmed = messages.length;
    let settled = false;
    let closeError: unknown;
    let wake: (() => void) | undefined;

    const onChannelError = (error: unknown): void => {
      closeError = error;
    };
    const onClose = (): void =>
      finish(translateAmqpError(closeError ?? new Error('channel closed'), 'publish'));
    const onAbort = (): void => finish(signal?.reason ?? new Error('publish aborted'));
    const onDrain = (): void => wake?.();
    // RabbitMQ confirms a message no queue took: a `mandatory` one comes back first (basic.return
    // precedes its ack), and is then a failed publish, not a delivered one.
    const mandatoryIds = new Set(
      messages.filter((m) => m.options?.mandatory && m.options.messageId).map((m) => m.options?.messageId),
    );
    const onReturn = (returned: ReturnedMessage): void => {
      if (!mandatoryIds.has(returned.properties.messageId as string)) return;
      const { exchange, routingKey } = returned.fields;
      finish(
        new AppError('dependency_unavailable', {
          detail: `publish: no queue is bound for ${exchange} / ${routingKey} (message returned)`,
        }),
      );
    };
    const timer = setTimeout(
      () => finish(new AppError('timeout', { detail: `no publisher confirm within ${timeoutMs} ms` })),
      timeoutMs,
    );
    function finish(error?: unknown): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      channel.off('error', onChannelError);
      channel.off('close', onClose);
      channel.off('drain', onDrain);
      channel.off('return', onReturn);
      signal?.removeEventListener('abort', onAbort);
      wake?.();
      if (error === undefined) resolve();
      else reject(error instanceof Error ? error : new Error('publish failed', { cause: error }));
    }
    // amqplib calls pending callbacks with 'channel closed' before our 'close' listener runs, so the
    // broker's reason (captured from 'error', which comes first) is preferred.
    const onConfirm = (error: unknown): void => {
      if (error) finish(translateAmqpError(closeError ?? error, 'publish'));
      else if (--unconfirmed === 0) finish();
    };

    channel.on('error', onChannelError);
    channel.once('close', onClose);
    channel.on('drain', onDrain);
    if (mandatoryIds.size > 0) channel.on('return', onReturn);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    const publishAll = async (): Promise<void> => {
      for (const m of messages) {
        if (settled) return;
        let writable: boolean;
        try {
          writable = channel.publish(m.exchange, m.routingKey, m.content, m.options, onConfirm);
        } catch (error) {
          return finish(translateAmqpError(closeError ?? error, 'publish'));
        }
        if (!writable && !settled) await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    };
    void publishAll();
  });
}

/** AMQP properties mirroring the envelope, so consumers can route and de-duplicate without parsing the body. */
export function publishOptionsFor(envelope: Envelope, headers?: Record<string, unknown>): Options.Publish {
  return {
    messageId: envelope.messageId,
    correlationId: envelope.correlationId,
    type: envelope.type,
    timestamp: Math.floor(Date.parse(envelope.occurredAt) / 1000),
    persistent: true,
    contentType: 'application/json',
    appId: envelope.producer,
    ...(headers ? { headers } : {}),
  };
}

/**
 * The publisher, counting every message it hands to the broker by exchange (each attempt of a
 * retried publish counts again: a retry costs the broker as much as the first try).
 */
export function countPublishes(
  publisher: AmqpPublisher,
  count: (exchange: string, messages: number) => void,
): AmqpPublisher {
  return {
    publish(exchange, routingKey, content, options, signal) {
      count(exchange, 1);
      return publisher.publish(exchange, routingKey, content, options, signal);
    },
    publishBatch(messages, signal) {
      const byExchange = new Map<string, number>();
      for (const m of messages) byExchange.set(m.exchange, (byExchange.get(m.exchange) ?? 0) + 1);
      for (const [exchange, n] of byExchange) count(exchange, n);
      return publisher.publishBatch(messages, signal);
    },
  };
}
