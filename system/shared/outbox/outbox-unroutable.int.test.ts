import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../api/testing/postgres-test-database.ts';
import { createAmqpChannelPool, type AmqpChannelPool } from '../amqp-channel-pool.ts';
import type { AmqpPublisher } from '../amqp-publish.ts';
import { createEnvelope } from '../../../contracts/envelope.ts';
import { createPostgresPool } from '../postgres-pool.ts';
import { createNoopPolicy } from '../resilience-policy.ts';
import { createAmqpTestAdmin, testAmqpUrl, type AmqpTestAdmin } from '../testing/amqp-test-broker.ts';
import { waitFor } from '../testing/wait-for.ts';
import { appendToOutbox } from './append-to-outbox.ts';
import { createOutboxRelay } from './outbox-relay.ts';
import { createPostgresOutboxStore } from './postgres-outbox-store.ts';

let database: TestDatabase;
let pool: pg.Pool;
let admin: AmqpTestAdmin;
let channels: AmqpChannelPool;
beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPostgresPool({ connectionString: database.url, max: 4 });
  admin = await createAmqpTestAdmin();
  channels = createAmqpChannelPool({ url: testAmqpUrl, name: 'outbox-unroutable-test', maxConnections: 1 });
});
afterAll(async () => {
  await channels?.close();
  await admin?.close();
  await pool?.end();
  await database?.drop();
});

describe('outbox relay with mandatory publishing', () => {
  it('keeps a row no queue takes in the outbox and delivers it once a queue is bound', async () => {
    // A fresh broker: the exchange exists, the worker has not declared its queue yet.
    const exchange = admin.exchangeName('students-events');
    await admin.channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
    const store = createPostgresOutboxStore(pool);
    const producer = `api-${randomUUID().slice(0, 8)}`;
    const envelope = createEnvelope({
      type: 'student.created',
      correlationId: randomUUID(),
      producer: 'api',
      payload: { id: randomUUID() },
    });
    const client = await pool.connect();
    await appendToOutbox(client, producer, [{ exchange, routingKey: 'student.created', envelope }]);
    client.release();

    let failures = 0;
    const counting: AmqpPublisher = {
      publish: (...args) => channels.publish(...args),
      publishBatch: (messages, signal) =>
        channels.publishBatch(messages, signal).catch((error: unknown) => {
          failures++;
          throw error;
        }),
    };
    const relay = createOutboxRelay({
      store,
      producer,
      publisher: counting,
      policy: createNoopPolicy(),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      pollIntervalMs: 50,
      backoff: { initialDelayMs: 20, maxDelayMs: 100 },
      mandatory: true,
    });
    relay.start();
    try {
      await waitFor(() => failures >= 3, 15_000, 'three returned publishes');
      expect((await store.stats(producer)).pending).toBe(1);

      const queue = admin.queueName('worker-students');
      await admin.channel.assertQueue(queue, { durable: false });
      await admin.channel.bindQueue(queue, exchange, 'student.*');
      await waitFor(async () => (await store.stats(producer)).pending === 0, 15_000, 'row published');
      const delivered = await admin.channel.get(queue, { noAck: true });
      expect(delivered && delivered.properties.messageId).toBe(envelope.messageId);
    } finally {
      await relay.stop();
    }
  });
});
