import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, ConsumeMessage } from 'amqplib';
import { createAmqpConsumer, type AmqpConsumer, type AmqpConsumerState } from './amqp-consumer.ts';
import { createLogger } from './logger.ts';
import {
  amqpUrlViaPort,
  createAmqpTestAdmin,
  testAmqpTarget,
  type AmqpTestAdmin,
} from './testing/amqp-test-broker.ts';
import { createTcpGate, type TcpGate } from './testing/tcp-gate.ts';

const logger = createLogger({ service: 'amqp-consumer-int-test', level: 'silent' });
let admin: AmqpTestAdmin;
let gate: TcpGate;
let consumer: AmqpConsumer | undefined;

beforeAll(async () => {
  admin = await createAmqpTestAdmin();
  gate = await createTcpGate({ target: testAmqpTarget() });
});
afterEach(async () => {
  await consumer?.stop(1_000);
  gate.restore();
});
afterAll(async () => {
  await gate.close();
  await admin.close();
});

type Handler = (message: ConsumeMessage, channel: Channel) => Promise<void>;

/** A consumer on a fresh durable queue, through the gate; records every state it goes through. */
async function startConsumer(onMessage: Handler, heartbeatSec = 1) {
  const queue = admin.queueName('consumer');
  const states: AmqpConsumerState[] = [];
  consumer = createAmqpConsumer({
    url: amqpUrlViaPort(gate.port),
    name: 'consumer-int-test',
    prefetch: 1,
    setup: async (ch) => (await ch.assertQueue(queue, { durable: true })).queue,
    onMessage,
    logger,
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    heartbeatSec,
    connectTimeoutMs: 300,
  });
  consumer.onStateChange(({ to }) => states.push(to));
  await consumer.start();
  expect(consumer.connected()).toBe(true);
  const send = (body: string) => admin.channel.sendToQueue(queue, Buffer.from(body), { persistent: true });
  return { consumer, queue, states, send };
}

const acking =
  (received: string[]): Handler =>
  (message, channel) => {
    received.push(message.content.toString());
    channel.ack(message);
    return Promise.resolve();
  };

describe('createAmqpConsumer', () => {
  it('consumes and acks: the queue is empty after stop', async () => {
    const received: string[] = [];
    const { consumer, queue, send } = await startConsumer(acking(received));
    send('a');
    send('b');
    await expect.poll(() => received).toEqual(['a', 'b']);
    await consumer.stop(1_000);
    expect(await admin.messageCount(queue)).toBe(0);
  });

  it('reconnects by itself after the broker refused it and consumes what was published meanwhile', async () => {
    const received: string[] = [];
    const { states, send } = await startConsumer(acking(received));
    gate.cut({ mode: 'refuse' });
    await expect.poll(() => states).toContain('disconnected');
    send('during-outage');
    await expect.poll(() => states.filter((s) => s === 'disconnected').length).toBeGreaterThan(1);
    expect(received).toEqual([]);
    gate.restore();
    await expect.poll(() => received).toEqual(['during-outage']);
    expect(states.at(-1)).toBe('connected');
  });

  it('notices a black-holed broker by heartbeat and resumes after it heals', async () => {
    const received: string[] = [];
    const { states, send } = await startConsumer(acking(received), 1);
    gate.cut({ mode: 'blackhole' });
    await expect.poll(() => states, { timeout: 5_000 }).toContain('disconnected');
    send('during-partition');
    gate.restore();
    await expect.poll(() => received, { timeout: 5_000 }).toContain('during-partition');
    expect(states.at(-1)).toBe('connected');
  });

  it('stop waits for the in-flight handler, lets it ack, then closes', async () => {
    let finish!: () => void;
    const order: string[] = [];
    const { consumer, queue, send } = await startConsumer(async (message, channel) => {
      order.push('handler started');
      await new Promise<void>((resolve) => (finish = resolve));
      channel.ack(message);
      order.push('handler acked');
    });
    send('slow');
    await expect.poll(() => order).toEqual(['handler started']);
    const stopped = consumer.stop(5_000).then(() => order.push('stopped'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(order).toEqual(['handler started']);
    finish();
    await stopped;
    expect(order).toEqual(['handler started', 'handler acked', 'stopped']);
    expect(consumer.state()).toBe('stopped');
    expect(await admin.messageCount(queue)).toBe(0);
  });

  it('stop gives up on a stuck handler after its timeout; the unacked message goes back to the queue', async () => {
    const { consumer, queue, send } = await startConsumer(() => new Promise<void>(() => undefined));
    send('stuck');
    await expect.poll(async () => (await admin.channel.checkQueue(queue)).consumerCount).toBe(1);
    await expect.poll(() => admin.messageCount(queue)).toBe(0);
    const started = performance.now();
    await consumer.stop(200);
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect.poll(() => admin.messageCount(queue)).toBe(1);
  });
});
