import { randomBytes } from 'node:crypto';
import { connect } from 'amqplib';

import { createAmqpChannelPool } from '../../system/shared/amqp-channel-pool.ts';
import { createResilientPublisher } from '../../system/shared/amqp-resilient-publisher.ts';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { createEnvelope } from '../../contracts/envelope.ts';
import { createLogger } from '../../system/shared/logger.ts';
import { createOutboxRelay } from '../../system/shared/outbox/outbox-relay.ts';
import { appendToOutboxPostgres } from '../../system/shared/outbox/postgres-outbox-store.ts';
import { createPostgresOutboxStore } from '../../system/shared/outbox/postgres-outbox-store.ts';
import { createResiliencePolicy } from '../../system/shared/resilience-policy.ts';
import { createTestDatabase } from '../../system/api/testing/postgres-test-database.ts';
import { createPostgresPool } from '../../system/shared/postgres-pool.ts';

export interface PublishRate {
  messages: number;
  seconds: number;
  perSecond: number;
}

const amqpUrl = process.env.AMQP_URL ?? defaultUrls.amqp;
const batchSize = 500;

const sampleEnvelope = (i: number) =>
  createEnvelope({
    type: 'student.created',
    correlationId: `bench-${i}`,
    producer: 'api',
    payload: {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      firstName: 'Bench',
      lastName: 'Mark',
      email: 'bench@example.com',
      fullName: 'Bench Mark',
      updates: 0,
      created: new Date().toISOString(),
      createdBy: 'bench',
      lastModified: new Date().toISOString(),
      lastModifiedBy: 'bench',
    },
  });

/** A durable fanout exchange with one durable queue, unique to this run; removed by the returned cleanup. */
async function benchTopology() {
  const model = await connect(amqpUrl);
  const channel = await model.createChannel();
  const name = `bench.relay.${randomBytes(4).toString('hex')}`;
  await channel.assertExchange(name, 'fanout', { durable: true });
  await channel.assertQueue(name, { durable: true });
  await channel.bindQueue(name, name, '');
  return {
    exchange: name,
    count: async () => (await channel.checkQueue(name)).messageCount,
    cleanup: async () => {
      await channel.deleteQueue(name);
      await channel.deleteExchange(name);
      await model.close();
    },
  };
}

/** Bare amqplib: one confirm channel, persistent messages, a waitForConfirms per batch of 500. */
export async function benchBareAmqplib(messages: number): Promise<PublishRate> {
  const topology = await benchTopology();
  const model = await connect(amqpUrl);
  const channel = await model.createConfirmChannel();
  const bodies = Array.from({ length: messages }, (_, i) => Buffer.from(JSON.stringify(sampleEnvelope(i))));
  const started = performance.now();
  for (let i = 0; i < messages; i += batchSize) {
    for (const body of bodies.slice(i, i + batchSize)) {
      channel.publish(topology.exchange, 'student.created', body, {
        persistent: true,
        contentType: 'application/json',
      });
    }
    await channel.waitForConfirms();
  }
  const seconds = (performance.now() - started) / 1000;
  await model.close();
  await topology.cleanup();
  return { messages, seconds, perSecond: messages / seconds };
}

/** The outbox relay (PostgreSQL rows → channel pool → resilient publisher) draining a backlog. */
export async function benchOutboxRelay(messages: number): Promise<PublishRate> {
  const topology = await benchTopology();
  const database = await createTestDatabase();
  const pool = createPostgresPool({ connectionString: database.url, max: 4 });
  const client = await pool.connect();
  for (let i = 0; i < messages; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, messages - i) }, (_, j) => ({
      exchange: topology.exchange,
      routingKey: 'student.created',
      envelope: sampleEnvelope(i + j),
    }));
    await appendToOutboxPostgres(client, 'api', chunk);
  }
  client.release();
  const amqp = createAmqpChannelPool({ url: amqpUrl, name: 'relay-bench' });
  const policy = createResiliencePolicy({
    name: 'amqp',
    timeoutMs: 10_000,
    maxRetries: 2,
    initialDelayMs: 100,
    maxDelayMs: 1_000,
    consecutiveFailures: 5,
    halfOpenAfterMs: 5_000,
  });
  await amqp.withChannel(() => Promise.resolve());
  const relay = createOutboxRelay({
    store: createPostgresOutboxStore(pool),
    producer: 'api',
    publisher: createResilientPublisher({ pool: amqp, policy }),
    policy,
    logger: createLogger({ service: 'relay-bench', level: 'warn' }),
    batchSize,
  });
  const started = performance.now();
  relay.start();
  const deadline = Date.now() + 120_000;
  while ((await topology.count()) < messages && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  const delivered = await topology.count();
  await relay.stop();
  await amqp.close();
  await pool.end();
  await database.drop();
  await topology.cleanup();
  if (delivered < messages) throw new Error(`relay delivered ${delivered} of ${messages} within 120 s`);
  return { messages, seconds, perSecond: messages / seconds };
}
