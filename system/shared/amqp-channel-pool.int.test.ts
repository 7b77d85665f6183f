import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfirmChannel } from 'amqplib';
import {
  createAmqpChannelPool,
  type AmqpChannelPool,
  type AmqpChannelPoolOptions,
} from './amqp-channel-pool.ts';
import { AppError, NonRetryableError } from './errors.ts';
import {
  createAmqpTestAdmin,
  amqpUrlViaPort,
  testAmqpTarget,
  testAmqpUrl,
  type AmqpTestAdmin,
} from './testing/amqp-test-broker.ts';
import { createTcpGate } from './testing/tcp-gate.ts';

let admin: AmqpTestAdmin;
const pools: AmqpChannelPool[] = [];
const cleanups: (() => Promise<void>)[] = [];
const makePool = (options: Partial<AmqpChannelPoolOptions> = {}) => {
  const pool = createAmqpChannelPool({ url: testAmqpUrl, name: 'pool-int-test', ...options });
  pools.push(pool);
  return pool;
};

/** A fanout exchange with one bound queue, both unique to the test. */
async function exchangeWithQueue(durable = false): Promise<{ exchange: string; queue: string }> {
  const exchange = admin.exchangeName('pool');
  const queue = admin.queueName('pool');
  await admin.channel.assertExchange(exchange, 'fanout', { durable, autoDelete: false });
  await admin.channel.assertQueue(queue, { durable });
  await admin.channel.bindQueue(queue, exchange, '');
  return { exchange, queue };
}

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

beforeAll(async () => {
  admin = await createAmqpTestAdmin();
});
afterAll(async () => {
  await Promise.all([...pools.map((p) => p.close()), ...cleanups.map((c) => c())]);
  await admin.close();
});

describe('createAmqpChannelPool', () => {
  it('resolves publish after the broker confirmed it, and the message is on the queue', async () => {
    const { exchange, queue } = await exchangeWithQueue();
    const pool = makePool();
    expect(pool.connected()).toBe(false);
    await pool.publish(exchange, 'k', Buffer.from('hello'), { messageId: 'm-1', persistent: true });
    expect(pool.connected()).toBe(true);
    const message = await admin.channel.get(queue, { noAck: true });
    expect(message && message.content.toString()).toBe('hello');
    expect(message && message.properties.messageId).toBe('m-1');
    expect(pool.stats()).toEqual({ connections: 1, channels: 1, idle: 1, busy: 0, waiting: 0 });
  });

  it('confirms every message of publishBatch (counted on a durable queue)', async () => {
    const { exchange, queue } = await exchangeWithQueue(true);
    const pool = makePool();
    const batch = Array.from({ length: 500 }, (_, i) => ({
      exchange,
      routingKey: 'k',
      content: Buffer.from(`message ${i}`),
      options: { persistent: true, messageId: `b-${i}` },
    }));
    await Promise.all([pool.publishBatch(batch), pool.publishBatch(batch.slice(0, 7))]);
    expect(await admin.messageCount(queue)).toBe(507);
  });

  it('never opens more than maxConnections × channelsPerConnection and queues the rest', async () => {
    const pool = makePool({ maxConnections: 2, channelsPerConnection: 3 });
    const gate = deferred();
    const seen = new Set<ConfirmChannel>();
    const holders = Array.from({ length: 9 }, () =>
      pool.withChannel(async (channel) => {
        seen.add(channel);
        await gate.promise;
      }),
    );
    await expect.poll(() => pool.stats().channels).toBe(6);
    expect(pool.stats()).toEqual({ connections: 2, channels: 6, idle: 0, busy: 6, waiting: 3 });
    expect(new Set([...seen].map((c) => c.connection)).size).toBe(2);
    gate.resolve();
    await Promise.all(holders);
    expect(seen.size).toBe(6);
    expect(pool.stats()).toMatchObject({ channels: 6, idle: 6, waiting: 0 });
  });

  it('bounds the wait for a channel and fails with dependency_unavailable', async () => {
    const pool = makePool({ maxConnections: 1, channelsPerConnection: 1, acquireTimeoutMs: 200 });
    const gate = deferred();
    const holder = pool.withChannel(() => gate.promise);
    await expect.poll(() => pool.stats().busy).toBe(1);
    const started = performance.now();
    const error = await pool.withChannel(() => Promise.resolve('never')).catch((e: unknown) => e);
    const waitedMs = performance.now() - started;
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('dependency_unavailable');
    expect(waitedMs).toBeGreaterThanOrEqual(190);
    expect(waitedMs).toBeLessThan(1_000);
    expect(pool.stats().waiting).toBe(0);
    gate.resolve();
    await holder;
  });

  it('replaces a channel the broker closed and the next publish works', async () => {
    const { exchange, queue } = await exchangeWithQueue();
    const pool = makePool({ maxConnections: 1, channelsPerConnection: 1 });
    await pool.publish(exchange, 'k', Buffer.from('first'), {});
    const missing = admin.exchangeName('missing');
    await expect(pool.publish(missing, 'k', Buffer.from('lost'), {})).rejects.toBeInstanceOf(
      NonRetryableError,
    );
    expect(pool.stats()).toMatchObject({ channels: 0, connections: 1 });
    await pool.publish(exchange, 'k', Buffer.from('second'), {});
    expect(await admin.messageCount(queue)).toBe(2);
  });

  it('runs onChannelCreated before a channel is handed out', async () => {
    const exchange = admin.exchangeName('declared');
    const queue = admin.queueName('declared');
    const pool = makePool({
      onChannelCreated: async (ch) => void (await ch.assertExchange(exchange, 'fanout', { durable: false })),
    });
    await pool.withChannel(async (ch) => {
      await ch.assertQueue(queue, { durable: false });
      await ch.bindQueue(queue, exchange, '');
    });
    await pool.publish(exchange, 'k', Buffer.from('x'), {});
    expect(await admin.messageCount(queue)).toBe(1);
  });

  it('bounds connecting to a black-holed broker by connectTimeoutMs', async () => {
    const gate = await createTcpGate({ target: testAmqpTarget() });
    try {
      gate.cut({ mode: 'blackhole' });
      const pool = makePool({
        url: amqpUrlViaPort(gate.port),
        connectTimeoutMs: 300,
        acquireTimeoutMs: 5_000,
      });
      const started = performance.now();
      const error = await pool.publish('amq.fanout', 'k', Buffer.from('x'), {}).catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(error).toBeInstanceOf(AppError);
      expect(pool.connected()).toBe(false);
      await pool.close();
    } finally {
      await gate.close();
    }
  });

  it('closes within its bound while the broker is black-holed', async () => {
    const gate = await createTcpGate({ target: testAmqpTarget() });
    try {
      const pool = makePool({ url: amqpUrlViaPort(gate.port), connectTimeoutMs: 300 });
      await pool.publish('amq.fanout', 'k', Buffer.from('x'), {});
      gate.cut({ mode: 'blackhole' });
      const started = performance.now();
      await pool.close();
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(pool.connected()).toBe(false);
    } finally {
      await gate.close();
    }
  });

  it('closes idempotently, rejecting waiters and later calls', async () => {
    const pool = makePool({ maxConnections: 1, channelsPerConnection: 1 });
    const gate = deferred();
    const holder = pool.withChannel(() => gate.promise);
    await expect.poll(() => pool.stats().busy).toBe(1);
    const waiter = pool.withChannel(() => Promise.resolve('never'));
    const first = pool.close();
    expect(pool.close()).toBe(first);
    await expect(waiter).rejects.toMatchObject({ code: 'dependency_unavailable' });
    gate.resolve();
    await holder;
    await first;
    expect(pool.connected()).toBe(false);
    await expect(pool.publish('amq.fanout', 'k', Buffer.from('x'), {})).rejects.toMatchObject({
      code: 'dependency_unavailable',
    });
  });
});
