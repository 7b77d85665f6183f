import { EventEmitter } from 'node:events';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { closeAmqpConnection, connectAmqp, type AmqpConnectFn } from './amqp-connect.ts';
import { computeBackoffDelayMs, type BackoffOptions } from './backoff-delay.ts';
import type { Logger } from './logger.ts';

export type AmqpConsumerState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'stopping' | 'stopped';

export interface AmqpConsumerStateChange {
  consumer: string;
  from: AmqpConsumerState;
  to: AmqpConsumerState;
  /** Epoch milliseconds. */
  at: number;
  /** Reconnect attempt (1 = first retry), on `connecting` and `disconnected`. */
  attempt?: number;
  /** On `disconnected`: milliseconds until the next attempt. */
  retryInMs?: number;
  /** On `disconnected`: why the session ended. */
  reason?: string;
}

export interface AmqpConsumerOptions {
  url: string;
  /** Names the consumer in logs, state events and the `connection_name`. */
  name: string;
  /** Unacknowledged messages the broker may send at once. */
  prefetch: number;
  /**
   * Declares topology on every (re)connection and returns the queue to consume. `model` is the
   * connection, for checks that would close `channel` (a passive declare of a missing queue).
   */
  setup: (channel: Channel, model: ChannelModel) => Promise<string>;
  /**
   * Handles one message and acks/nacks it on `channel`. If it throws, the message is nacked without
   * requeue (dead-lettered when the queue has a DLX). After a reconnect, ack on the old channel
   * throws; the broker redelivers the message, so handlers must be idempotent.
   */
  onMessage: (message: ConsumeMessage, channel: Channel) => Promise<void>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Reconnect backoff in milliseconds; retries forever until `stop`. */
  reconnect: BackoffOptions;
  /** Heartbeat in seconds (default 5): a partition is noticed after about two intervals. */
  heartbeatSec?: number;
  /** Bounds each connection attempt, in milliseconds (default 5,000). */
  connectTimeoutMs?: number;
  connect?: AmqpConnectFn;
  /** Jitter source in [0, 1); tests pass a constant. */
  random?: () => number;
}

export interface AmqpConsumer {
  /** Starts consuming; resolves after the first attempt, connected or not (it keeps retrying). */
  start(): Promise<void>;
  /** Cancels consuming, waits for in-flight handlers up to `timeoutMs` (default 10,000), closes. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
  connected(): boolean;
  state(): AmqpConsumerState;
  onStateChange(listener: (change: AmqpConsumerStateChange) => void): () => void;
}

interface Session {
  model?: ChannelModel;
  channel?: Channel;
  consumerTag?: string;
  ended: boolean;
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * A consumer that survives the broker: on a lost connection (closed, refused, or silent and caught
 * by the heartbeat) it reconnects with exponential backoff and jitter, re-runs `setup` and resumes.
 * Connection errors are logged and emitted as state changes, never thrown into the process.
 */
export function createAmqpConsumer(options: AmqpConsumerOptions): AmqpConsumer {
  const { name, logger, connectTimeoutMs = 5_000 } = options;
  const events = new EventEmitter();
  const inFlight = new Set<Promise<void>>();
  let current: AmqpConsumerState = 'idle';
  let session: Session | undefined;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  function setState(to: AmqpConsumerState, extra: Partial<AmqpConsumerStateChange> = {}): void {
    const change: AmqpConsumerStateChange = { consumer: name, from: current, to, at: Date.now(), ...extra };
    current = to;
    events.emit('change', change);
  }

  function endSession(s: Session, reason: unknown): void {
    if (s.ended) return;
    s.ended = true;
    if (session === s) session = undefined;
    if (s.model) void closeAmqpConnection(s.model, connectTimeoutMs);
    if (stopping) return;
    attempt++;
    const retryInMs = computeBackoffDelayMs(attempt, options.reconnect, options.random);
    logger.warn(
      { consumer: name, attempt, retryInMs, err: reason },
      'AMQP consumer disconnected; reconnecting',
    );
    setState('disconnected', { attempt, retryInMs, reason: errorMessage(reason) });
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      running = connectAndConsume();
    }, retryInMs);
  }

  function handle(message: ConsumeMessage, channel: Channel): void {
    const task = options.onMessage(message, channel).catch((error: unknown) => {
      logger.error(
        { consumer: name, err: error, messageId: message.properties.messageId },
        'handler failed; nacked',
      );
      try {
        channel.nack(message, false, false);
      } catch {
        // The channel is gone; the broker redelivers the message.
      }
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  }

  async function connectAndConsume(): Promise<void> {
    const s: Session = { ended: false };
    session = s;
    setState('connecting', attempt > 0 ? { attempt } : {});
    try {
      s.model = await connectAmqp({
        url: options.url,
        connectionName: name,
        heartbeatSec: options.heartbeatSec,
        connectTimeoutMs,
        onError: (error) => logger.warn({ consumer: name, err: error }, 'AMQP connection error'),
        connect: options.connect,
      });
      s.model.on('close', () => endSession(s, new Error('connection closed')));
      if (stopping || s.ended) throw new Error('stopped while connecting');
      const channel = (s.channel = await s.model.createChannel());
      channel.on('error', (error: unknown) =>
        logger.warn({ consumer: name, err: error }, 'AMQP channel error'),
      );
      channel.on('close', () => endSession(s, new Error('channel closed')));
      await channel.prefetch(options.prefetch);
      const queue = await options.setup(channel, s.model);
      const reply = await channel.consume(queue, (message) =>
        message ? handle(message, channel) : endSession(s, new Error('consumer cancelled by the broker')),
      );
      s.consumerTag = reply.consumerTag;
      if (stopping || s.ended) throw new Error('stopped while connecting');
      attempt = 0;
      logger.info({ consumer: name, queue }, 'AMQP consumer connected');
      setState('connected');
    } catch (error) {
      endSession(s, error);
    }
  }

  async function shutdown(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    setState('stopping');
    clearTimeout(retryTimer);
    await Promise.race([running, sleep(remaining())]);
    const s = session;
    if (s?.channel && s.consumerTag) {
      await Promise.race([s.channel.cancel(s.consumerTag).catch(() => undefined), sleep(remaining())]);
    }
    await Promise.race([Promise.allSettled([...inFlight]), sleep(remaining())]);
    if (inFlight.size > 0)
      logger.warn({ consumer: name, inFlight: inFlight.size }, 'stop timed out; unacked requeue');
    if (s) {
      s.ended = true;
      // Channel first: its close is queued behind the handlers' acks on the same channel, whereas a
      // connection close (channel 0) can overtake them and the broker would requeue acked messages.
      const graceMs = Math.max(remaining(), 1_000);
      if (s.channel) await Promise.race([s.channel.close().catch(() => undefined), sleep(graceMs)]);
      if (s.model) await closeAmqpConnection(s.model, graceMs);
    }
    setState('stopped');
  }

  return {
    start() {
      if (current !== 'idle') return running ?? Promise.resolve();
      running = connectAndConsume();
      return running;
    },
    stop: (timeoutMs = 10_000) => (stopping ??= shutdown(timeoutMs)),
    connected: () => current === 'connected',
    state: () => current,
    onStateChange(listener) {
      events.on('change', listener);
      return () => void events.off('change', listener);
    },
  };
}
