import { createHash } from 'node:crypto';
import { createEnvelope, type Envelope, type NotificationType } from '../../../contracts/envelope.ts';
import { NonRetryableError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import { TaskCancelledError, isBrokenCircuitError } from '../../shared/resilience-policy.ts';
import type { StudentCache } from '../student-cache.ts';
import { workerProducer, type OutboxMessage, type WorkerStore } from '../worker-store.ts';
import { traceparentForNewMessage } from '../../shared/spans.ts';

/** How a handled message ended; failures throw instead (the consumer retries or dead-letters). */
export type HandlerOutcome = 'ok' | 'duplicate' | 'skipped';

export type MessageHandler = (event: Envelope) => Promise<HandlerOutcome>;

export type CacheSkipReason = 'breaker_open' | 'timeout' | 'error';

export interface HandlerDeps {
  store: WorkerStore;
  cache: StudentCache;
  /** Where notifications go (the `notifications` exchange). */
  notificationsExchange: string;
  /** The outbox relay's wake(): called after every commit that appended rows. */
  wakeRelay: () => void;
  onCacheSkipped: (reason: CacheSkipReason) => void;
  logger: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The student id of an event; a malformed id can never succeed, so it is non-retryable. */
export function studentIdOf(event: Envelope): string {
  const id = event.payload.id;
  if (!uuidPattern.test(id)) throw new NonRetryableError(`payload.id is not a UUID: ${JSON.stringify(id)}`);
  return id.toLowerCase();
}

/**
 * A notification's messageId is derived from the message that caused it and its type, so a
 * notification can never exist twice under two ids (consumers de-duplicate by messageId).
 */
export function notificationMessageId(causationId: string, type: NotificationType): string {
  const hex = createHash('sha256').update(`${causationId}\n${type}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A notification caused by `event`: same correlation id, causation = the event's messageId. */
export function notificationOf(
  deps: Pick<HandlerDeps, 'notificationsExchange'>,
  event: Envelope,
  type: NotificationType,
  payload: Envelope['payload'],
  occurredAt: Date,
): OutboxMessage {
  const envelope = createEnvelope({
    messageId: notificationMessageId(event.messageId, type),
    type,
    correlationId: event.correlationId,
    causationId: event.messageId,
    occurredAt,
    producer: workerProducer,
    payload,
    traceparent: traceparentForNewMessage(),
  });
  return { exchange: deps.notificationsExchange, routingKey: type, envelope };
}

const skipReason = (error: unknown): CacheSkipReason =>
  isBrokenCircuitError(error) ? 'breaker_open' : error instanceof TaskCancelledError ? 'timeout' : 'error';

/**
 * Runs a cache step; a Redis failure skips it (counted and logged) instead of failing the message:
 * the database stays the source of truth and the API reads through to it.
 */
export async function runCacheStep(
  deps: HandlerDeps,
  step: string,
  fn: (cache: StudentCache) => Promise<unknown>,
): Promise<boolean> {
  try {
    await fn(deps.cache);
    return true;
  } catch (error) {
    const reason = skipReason(error);
    deps.onCacheSkipped(reason);
    deps.logger.warn({ err: error, step, reason }, 'cache step skipped: Redis unavailable');
    return false;
  }
}
