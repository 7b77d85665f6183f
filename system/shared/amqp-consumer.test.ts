import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChannelModel } from 'amqplib';
import { createAmqpConsumer, type AmqpConsumerStateChange } from './amqp-consumer.ts';
import type { AmqpConnectFn } from './amqp-connect.ts';
import { createLogger } from './logger.ts';

/** Just enough of amqplib's ChannelModel/Channel for the consumer's session. */
function fakeModel() {
  const channel = Object.assign(new EventEmitter(), {
    prefetch: vi.fn(() => Promise.resolve({})),
    consume: vi.fn(() => Promise.resolve({ consumerTag: 'tag-1' })),
    cancel: vi.fn(() => Promise.resolve({})),
    close: vi.fn(() => Promise.resolve()),
  });
  const model = Object.assign(new EventEmitter(), {
    createChannel: vi.fn(() => Promise.resolve(channel)),
    close: vi.fn(() => Promise.resolve()),
  });
  return { model, channel };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

describe('createAmqpConsumer reconnecting', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('retries forever with growing backoff, then resets the backoff once connected', async () => {
    const { model } = fakeModel();
    const connect = vi.fn<AmqpConnectFn>();
    connect
      .mockRejectedValueOnce(refused())
      .mockRejectedValueOnce(refused())
      .mockRejectedValueOnce(refused())
      .mockResolvedValue(model as unknown as ChannelModel);
    const changes: AmqpConsumerStateChange[] = [];
    const consumer = createAmqpConsumer({
      url: 'amqp://lab:lab@127.0.0.1:5672',
      name: 'unit',
      prefetch: 1,
      setup: () => Promise.resolve('q'),
      onMessage: () => Promise.resolve(),
      logger: createLogger({ service: 'unit', level: 'silent' }),
      reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 },
      connect,
      random: () => 0.5,
    });
    consumer.onStateChange((c) => changes.push(c));

    await consumer.start();
    expect(connect).toHaveBeenCalledTimes(1);
    expect(connect.mock.calls[0]?.[0]).toContain('heartbeat=5');
    const retries = () => changes.filter((c) => c.to === 'disconnected').map((c) => c.retryInMs);
    expect(retries()).toEqual([75]);
    await vi.advanceTimersByTimeAsync(74);
    expect(connect).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(connect).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(150);
    expect(connect).toHaveBeenCalledTimes(3);
    expect(retries()).toEqual([75, 150, 300]);
    await vi.advanceTimersByTimeAsync(300);
    expect(consumer.connected()).toBe(true);

    model.emit('close');
    expect(consumer.state()).toBe('disconnected');
    expect(retries()).toEqual([75, 150, 300, 75]);
    await vi.advanceTimersByTimeAsync(75);
    expect(connect).toHaveBeenCalledTimes(5);
    expect(consumer.connected()).toBe(true);

    await consumer.stop(1_000);
    model.emit('close');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(connect).toHaveBeenCalledTimes(5);
    expect(changes.at(-1)?.to).toBe('stopped');
  });
});
