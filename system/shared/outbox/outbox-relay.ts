import type { AmqpPublisher, OutgoingMessage } from '../amqp-publish.ts';
import { computeBackoffDelayMs, type BackoffOptions } from '../backoff-delay.ts';
import { type Envelope } from '../../../contracts/envelope.ts';
import type { Logger } from '../logger.ts';
import { isBrokenCircuitError, type ResiliencePolicy } from '../resilience-policy.ts';
import type { OutboxMetrics } from './outbox-metrics.ts';
import { epochUs } from '../../../contracts/clock.ts';
import type { JourneyLog } from '../journey-log.ts';
import type { Span } from '@opentelemetry/api';
import { endSpan, failSpan, startPublishSpan, traceHeadersFor } from '../spans.ts';
import type { JourneyMark } from '../../../contracts/journey.ts';
import type { OutboxStats, OutboxStore, PendingOutboxRow } from './outbox-store.ts';
import { publishOptionsFor } from '../amqp-publish.ts';

export interface OutboxRelayOptions {
  store: OutboxStore;
  /** Relays only this producer's rows ('api', 'worker'). */
  producer: string;
  /** Usually `createResilientPublisher({ pool, policy })`: confirms, retry → breaker → timeout. */
  publisher: AmqpPublisher;
  /** The publisher's policy: the relay reads its breaker state for logs and health. */
  policy: ResiliencePolicy;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics?: OutboxMetrics;
  /** Rows per transaction and per `publishBatch` (default 500). */
  batchSize?: number;
  /** Safety-net poll in milliseconds when nobody calls wake() (default 1,000). */
  pollIntervalMs?: number;
  /** Backoff after a failed batch (default 100 ms doubling to 5,000 ms). */
  backoff?: BackoffOptions;
  /**
   * Publish `mandatory`: a message no queue is bound for (a fresh broker before the worker declared
   * `worker.students`) fails the batch and its rows stay in the outbox, instead of being confirmed
   * and lost. For events someone must consume; not for broadcast notifications, whose audience may
   * rightly be nobody (default false).
   */
  mandatory?: boolean;
  /**
   * Marks, once the broker confirmed a batch, when its publish began: the moment the rows left the
   * outbox for the broker (the confirm itself comes back over the same link, after the consumer
   * may already have the message, so it would say nothing of where the time went).
   */
  journey?: { log: JourneyLog; published: Extract<JourneyMark, 'api.published' | 'worker.published'> };
}

export interface OutboxRelay {
  /** Call right after a commit that appended rows: the relay runs at once instead of at the next poll. */
  wake(): void;
  start(): void;
  /** Stops after the batch in flight; idempotent. */
  stop(): Promise<void>;
  lag(): Promise<OutboxStats>;
}

/**
 * Publishes a producer's outbox rows in id order with publisher confirms. Woken after each commit;
 * polls slowly as a safety net (rows of a crashed process, missed wakes). While the broker is away,
 * batches fail (fast once the breaker is open) and the relay backs off exponentially; rows stay in
 * the outbox and drain in order when the broker returns. Delivery is at least once.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { store, producer, publisher, policy, logger, metrics } = options;
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const backoff = options.backoff ?? { initialDelayMs: 100, maxDelayMs: 5_000 };
  let running = false;
  let woken = false;
  let failures = 0;
  let loop: Promise<void> | undefined;
  let interrupt: (() => void) | undefined;

  metrics?.addSource(producer, () => store.stats(producer));

  const sleep = (ms: number, wakeable: boolean) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      }
      interrupt = () => (wakeable || !running ? done() : undefined);
    });

  const mandatory = options.mandatory ?? false;
  const journey = options.journey;
  const publishRows = async (rows: PendingOutboxRow[]) => {
    const parsed = rows.map(parseRow);
    const spans = rows.map((row, i) => {
      const envelope = parsed[i];
      return envelope ? startPublishSpan(row.exchange, row.routingKey, envelope) : undefined;
    });
    const messages = rows.map((row, i) => toOutgoing(row, parsed[i], mandatory, spans[i]));
    const publishedUs = epochUs();
    try {
      await publisher.publishBatch(messages);
      for (const span of spans) endSpan(span);
    } catch (error) {
      for (const span of spans) failSpan(span, error);
      countByExchange(rows, (exchange, n) =>
        metrics?.publishFailures.inc({ producer, exchange, reason: failureReason(error) }, n),
      );
      throw error;
    }
    countByExchange(rows, (exchange, n) => metrics?.publishConfirms.inc({ producer, exchange }, n));
    for (const envelope of parsed) {
      if (envelope) journey?.log.mark(journey.published, envelope.correlationId, envelope.type, publishedUs);
    }
  };

  async function runOnce(): Promise<void> {
    woken = false;
    try {
      const published = await store.relayBatch(producer, batchSize, publishRows);
      if (failures > 0) logger.info({ producer, afterFailures: failures }, 'outbox relay recovered');
      failures = 0;
      if (published < batchSize && !woken) await sleep(pollIntervalMs, true);
    } catch (error) {
      failures++;
      const delayMs = computeBackoffDelayMs(failures, backoff);
      if (failures === 1 || failures % 20 === 0) {
        logger.warn(
          { err: error, producer, failures, delayMs, breaker: policy.state() },
          'outbox relay batch failed',
        );
      }
      await sleep(delayMs, false);
    }
  }

  return {
    wake() {
      woken = true;
      interrupt?.();
    },
    start() {
      if (running) return;
      running = true;
      loop = (async () => {
        while (running) await runOnce();
      })();
    },
    async stop() {
      running = false;
      interrupt?.();
      await loop;
    },
    lag: () => store.stats(producer),
  };
}

/**
 * Rows hold envelopes validated when they were written: a plain JSON.parse for the AMQP properties
 * (no schema validation per message; the relay is on the hot path of every event).
 */
function parseRow(row: PendingOutboxRow): Envelope | undefined {
  try {
    const value: unknown = JSON.parse(row.envelope);
    return typeof value === 'object' && value !== null ? (value as Envelope) : undefined;
  } catch {
    return undefined;
  }
}

function toOutgoing(
  row: PendingOutboxRow,
  envelope: Envelope | undefined,
  mandatory: boolean,
  span: Span | undefined,
): OutgoingMessage {
  const options: OutgoingMessage['options'] = envelope
    ? publishOptionsFor(envelope, traceHeadersFor(envelope, span))
    : { messageId: row.messageId, persistent: true, contentType: 'application/json' };
  return {
    exchange: row.exchange,
    routingKey: row.routingKey,
    content: Buffer.from(row.envelope),
    options: { ...options, mandatory },
  };
}

function countByExchange(rows: PendingOutboxRow[], fn: (exchange: string, n: number) => void): void {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.exchange, (counts.get(r.exchange) ?? 0) + 1);
  for (const [exchange, n] of counts) fn(exchange, n);
}

export const failureReason = (error: unknown): string =>
  isBrokenCircuitError(error)
    ? 'circuit_open'
    : error instanceof Error && error.name === 'TaskCancelledError'
      ? 'timeout'
      : 'unavailable';
