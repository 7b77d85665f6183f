import { connect } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEnvelope, type NotificationType, type Student } from '../../contracts/envelope.ts';
import { correlationIdFor, type ExpectedNotification } from '../measure/correlation.ts';
import { nowUs } from '../metrics/clock.ts';

/** A realistic payload: frames as large as the worker's, so bytes per delivery are the real ones. */
function studentOf(id: string): Student {
  const now = new Date().toISOString();
  return {
    id,
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: `ada.${id}@example.test`,
    fullName: 'Ada Lovelace',
    updates: 0,
    created: now,
    createdBy: 'bench',
    lastModified: now,
    lastModifiedBy: 'bench',
  };
}

export interface PublishAtRateOptions {
  amqpUrl: string;
  exchange: string;
  ratePerSec: number;
  durationSec: number;
  /** Correlation ids are `<runPrefix>-<seq>`. */
  runPrefix: string;
  type?: NotificationType;
  /** Called with each notification BEFORE it is published, so listeners can expect it. */
  onExpected(notification: ExpectedNotification): void;
}

export interface PublishResult {
  expected: ExpectedNotification[];
  /** Publishes that left later than their slot by more than 10 ms (the publisher fell behind). */
  late: number;
}

/**
 * Publishes notifications straight to the service's exchange at a fixed rate (open model). The
 * i-th one's intended publish time is `start + i / rate`, whatever time it actually left: that is
 * the bench's equivalent of a writer's intended send, and the latency clock starts there.
 */
export async function publishAtRate(options: PublishAtRateOptions): Promise<PublishResult> {
  const connection = await connect(options.amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    const total = Math.round(options.ratePerSec * options.durationSec);
    const startUs = nowUs() + 50_000;
    const type = options.type ?? 'student.created';
    const expected: ExpectedNotification[] = [];
    let late = 0;
    for (let seq = 0; seq < total; seq++) {
      const intendedSendUs = Math.round(startUs + (seq * 1e6) / options.ratePerSec);
      await sleep(Math.max(0, (intendedSendUs - nowUs()) / 1000));
      if (nowUs() - intendedSendUs > 10_000) late += 1;
      const correlationId = correlationIdFor(options.runPrefix, seq);
      const notification: ExpectedNotification = { type, correlationId, intendedSendUs };
      options.onExpected(notification);
      expected.push(notification);
      const envelope = createEnvelope({
        type,
        correlationId,
        producer: 'bench',
        payload: studentOf(correlationId),
      });
      // The service reads only the body; the properties are the worker's (persistent, ids for logs).
      channel.publish(options.exchange, envelope.type, Buffer.from(JSON.stringify(envelope)), {
        messageId: envelope.messageId,
        correlationId: envelope.correlationId,
        type: envelope.type,
        contentType: 'application/json',
        persistent: true,
      });
    }
    await channel.waitForConfirms();
    return { expected, late };
  } finally {
    await connection.close().catch(() => undefined);
  }
}
