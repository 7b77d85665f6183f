import { describe, expect, it } from 'vitest';
import type { AmqpPublisher, OutgoingMessage } from '../amqp-publish.ts';
import { createEnvelope } from '../../../contracts/envelope.ts';
import { createLogger } from '../logger.ts';
import { createNoopPolicy } from '../resilience-policy.ts';
import { createOutboxRelay } from './outbox-relay.ts';
import type { OutboxStore, PendingOutboxRow } from './outbox-store.ts';

/** In-memory outbox with the store's contract: rows are marked only when publish resolves. */
function memoryStore() {
  const rows: (PendingOutboxRow & { published: boolean })[] = [];
  let nextId = 1;
  const store: OutboxStore = {
    async relayBatch(_producer, limit, publish) {
      const batch = rows.filter((r) => !r.published).slice(0, limit);
      if (batch.length > 0) await publish(batch);
      for (const r of batch) r.published = true;
      return batch.length;
    },
    stats: () => Promise.resolve({ pending: rows.filter((r) => !r.published).length, oldestAgeSec: 0 }),
  };
  const append = (n: number) => {
    for (let i = 0; i < n; i++) {
      const envelope = createEnvelope({
        type: 'student.created',
        correlationId: 'c',
        producer: 'api',
        payload: { id: `s-${nextId}` },
      });
      rows.push({
        id: String(nextId++),
        exchange: 'students.events',
        routingKey: 'student.created',
        messageId: envelope.messageId,
        envelope: JSON.stringify(envelope),
        published: false,
      });
    }
  };
  return { store, append };
}

function recordingPublisher() {
  const published: OutgoingMessage[] = [];
  let failing = false;
  const publisher: AmqpPublisher = {
    publish: () => Promise.reject(new Error('unused')),
    publishBatch: (messages) => {
      if (failing) return Promise.reject(new Error('broker away'));
      published.push(...messages);
      return Promise.resolve();
    },
  };
  return { publisher, published, setFailing: (f: boolean) => void (failing = f) };
}

const until = async (predicate: () => boolean, timeoutMs = 2_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return predicate();
};

const logger = createLogger({ service: 'test', level: 'silent' });

/** A relay for producer 'api' over a memory store and a recording publisher; `options` overrides. */
function relayUnderTest(options: Partial<Parameters<typeof createOutboxRelay>[0]> = {}) {
  const outbox = memoryStore();
  const broker = recordingPublisher();
  const relay = createOutboxRelay({
    store: outbox.store,
    producer: 'api',
    publisher: broker.publisher,
    policy: createNoopPolicy(),
    logger,
    ...options,
  });
  return { relay, ...outbox, ...broker };
}

describe('createOutboxRelay', () => {
  it('publishes right after wake() instead of waiting for the next poll', async () => {
    const { relay, append, published } = relayUnderTest({ pollIntervalMs: 60_000 });
    relay.start();
    await until(() => false, 50);
    append(3);
    const started = Date.now();
    relay.wake();
    expect(await until(() => published.length === 3, 1_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(500);
    expect(published[0]?.options?.messageId).toBeDefined();
    expect(published[0]?.options?.persistent).toBe(true);
    await relay.stop();
  });

  it('backs off while publishing fails and drains the backlog in id order when it recovers', async () => {
    const { relay, append, published, setFailing } = relayUnderTest({
      batchSize: 7,
      pollIntervalMs: 60_000,
      backoff: { initialDelayMs: 20, maxDelayMs: 40 },
    });
    setFailing(true);
    append(50);
    relay.start();
    await until(() => false, 150);
    expect(published).toHaveLength(0);
    expect((await relay.lag()).pending).toBe(50);
    setFailing(false);
    expect(await until(() => published.length === 50)).toBe(true);
    const ids = published.map(
      (m) => (JSON.parse(m.content.toString()) as { payload: { id: string } }).payload.id,
    );
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => `s-${i + 1}`));
    expect((await relay.lag()).pending).toBe(0);
    await relay.stop();
  });

  it('stops promptly even while backing off', async () => {
    const { relay, append, setFailing } = relayUnderTest({
      backoff: { initialDelayMs: 10_000, maxDelayMs: 10_000 },
    });
    setFailing(true);
    append(1);
    relay.start();
    await until(() => false, 50);
    const started = Date.now();
    await relay.stop();
    expect(Date.now() - started).toBeLessThan(500);
  });
});
