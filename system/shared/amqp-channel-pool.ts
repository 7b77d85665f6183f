import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { closeAmqpConnection, connectAmqp, type AmqpConnectFn } from './amqp-connect.ts';
import { publishConfirmed, translateAmqpError, type AmqpPublisher } from './amqp-publish.ts';
import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';

export type { AmqpPublisher, OutgoingMessage } from './amqp-publish.ts';

export interface AmqpChannelPoolOptions {
  url: string;
  /** `connection_name` prefix; connections are named `<name>#<n>`. */
  name: string;
  /** Default 3. */
  maxConnections?: number;
  /** Default 5. */
  channelsPerConnection?: number;
  /** Longest wait for a free channel, in milliseconds (default 5,000). */
  acquireTimeoutMs?: number;
  /** Bounds connecting to the broker, in milliseconds (default 5,000). */
  connectTimeoutMs?: number;
  /** Longest wait for publisher confirms, in milliseconds (default 10,000). */
  confirmTimeoutMs?: number;
  /** Heartbeat in seconds (default 5): detects a partitioned broker. */
  heartbeatSec?: number;
  /** Runs on every new channel before it is handed out (e.g. `assertExchanges`). */
  onChannelCreated?: (channel: ConfirmChannel) => Promise<void>;
  logger?: Pick<Logger, 'warn'>;
  connect?: AmqpConnectFn;
}

export interface AmqpChannelPoolStats {
  /** Open connections. */
  connections: number;
  /** Open channels, idle + busy. */
  channels: number;
  idle: number;
  busy: number;
  /** Callers waiting for a channel. */
  waiting: number;
}

export interface AmqpChannelPool extends AmqpPublisher {
  /** Lends a channel to `fn` (topology setup); a channel that `fn` breaks is replaced. */
  withChannel<T>(fn: (channel: ConfirmChannel) => Promise<T>, signal?: AbortSignal): Promise<T>;
  stats(): AmqpChannelPoolStats;
  /** True when at least one connection is open (connections are made lazily). */
  connected(): boolean;
  /** Idempotent; rejects waiters, closes channels and connections, never throws. */
  close(): Promise<void>;
}

interface Slot {
  id: number;
  ready: Promise<ChannelModel>;
  model: ChannelModel | undefined;
  /** Open channels plus channels being created on this connection. */
  channels: number;
}

interface Pooled {
  channel: ConfirmChannel;
  slot: Slot;
}

interface Waiter {
  resolve: (pooled: Pooled) => void;
  reject: (error: unknown) => void;
}

/**
 * A lazily grown pool of confirm channels: at most `maxConnections × channelsPerConnection`.
 * Channels that close (a broker error, a lost connection) are dropped and never handed out again;
 * new connections are made on demand. Every wait is bounded.
 */
export function createAmqpChannelPool(options: AmqpChannelPoolOptions): AmqpChannelPool {
  const { maxConnections = 3, channelsPerConnection = 5, acquireTimeoutMs = 5_000 } = options;
  const { connectTimeoutMs = 5_000, confirmTimeoutMs = 10_000 } = options;
  const capacity = maxConnections * channelsPerConnection;
  const slots = new Set<Slot>();
  const open = new Set<Pooled>();
  const idle: Pooled[] = [];
  const waiters: Waiter[] = [];
  let creating = 0;
  let nextId = 1;
  let closing: Promise<void> | undefined;

  const poolClosed = () => new AppError('dependency_unavailable', { detail: 'AMQP channel pool is closed' });
  const warn = (error: unknown, msg: string) => options.logger?.warn({ err: error, pool: options.name }, msg);

  function newSlot(): Slot {
    const slot: Slot = { id: nextId++, ready: undefined as never, model: undefined, channels: 0 };
    slot.ready = connectAmqp({
      url: options.url,
      connectionName: `${options.name}#${slot.id}`,
      heartbeatSec: options.heartbeatSec,
      connectTimeoutMs,
      onError: (error) => warn(error, 'AMQP connection error'),
      connect: options.connect,
    }).then(
      (model) => {
        if (closing) void closeAmqpConnection(model, connectTimeoutMs);
        slot.model = model;
        model.on('close', () => slots.delete(slot));
        return model;
      },
      (error: unknown) => {
        slots.delete(slot);
        throw error;
      },
    );
    slots.add(slot);
    return slot;
  }

  const pickSlot = (): Slot =>
    [...slots].find((s) => s.channels < channelsPerConnection) ??
    (slots.size < maxConnections ? newSlot() : [...slots].sort((a, b) => a.channels - b.channels)[0]!);

  function discard(pooled: Pooled): void {
    if (!open.delete(pooled)) return;
    pooled.slot.channels--;
    const index = idle.indexOf(pooled);
    if (index >= 0) idle.splice(index, 1);
    grow();
  }

  async function createChannel(slot: Slot): Promise<Pooled> {
    const model = await slot.ready;
    if (closing) throw poolClosed();
    const channel = await model.createConfirmChannel();
    const pooled: Pooled = { channel, slot };
    channel.on('error', (error: unknown) => warn(error, 'AMQP channel closed by the broker'));
    channel.on('close', () => discard(pooled));
    open.add(pooled);
    slot.channels++;
    try {
      await options.onChannelCreated?.(channel);
    } catch (error) {
      discard(pooled);
      channel.close().catch(() => undefined);
      throw error;
    }
    return pooled;
  }

  /** Starts channel creations for waiters that no idle or upcoming channel will serve. */
  function grow(): void {
    while (!closing && waiters.length > creating && open.size + creating < capacity) {
      const slot = pickSlot();
      slot.channels++;
      creating++;
      createChannel(slot).then(
        (pooled) => {
          slot.channels--;
          creating--;
          release(pooled);
        },
        (error: unknown) => {
          slot.channels--;
          creating--;
          waiters.shift()?.reject(translateAmqpError(error, 'AMQP channel'));
          grow();
        },
      );
    }
  }

  function release(pooled: Pooled): void {
    if (!open.has(pooled)) return;
    if (closing) return void pooled.channel.close().catch(() => undefined);
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(pooled);
    else idle.push(pooled);
  }

  function acquire(signal?: AbortSignal): Promise<Pooled> {
    if (closing) return Promise.reject(poolClosed());
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const ready = idle.pop();
    if (ready) return Promise.resolve(ready);
    return new Promise<Pooled>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = waiters.indexOf(waiter);
        if (index >= 0) waiters.splice(index, 1);
      };
      const waiter: Waiter = {
        resolve: (pooled) => (done(), resolve(pooled)),
        reject: (error) => (done(), reject(error instanceof Error ? error : new Error(String(error)))),
      };
      const onAbort = () => waiter.reject(signal?.reason);
      const timer = setTimeout(() => {
        const detail = `no AMQP channel free within ${acquireTimeoutMs} ms (${JSON.stringify(stats())})`;
        waiter.reject(new AppError('dependency_unavailable', { detail }));
      }, acquireTimeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.push(waiter);
      grow();
    });
  }

  async function withChannel<T>(
    fn: (channel: ConfirmChannel) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const pooled = await acquire(signal);
    try {
      return await fn(pooled.channel);
    } finally {
      release(pooled);
    }
  }

  function stats(): AmqpChannelPoolStats {
    const connections = [...slots].filter((s) => s.model).length;
    return {
      connections,
      channels: open.size,
      idle: idle.length,
      busy: open.size - idle.length,
      waiting: waiters.length,
    };
  }

  async function shutdown(): Promise<void> {
    for (const waiter of waiters.splice(0)) waiter.reject(poolClosed());
    // Closing a connection closes its channels; closing channels one by one first would hang on a
    // black-holed broker (no CloseOk ever comes), while closeAmqpConnection is bounded.
    idle.length = 0;
    const models = [...slots].map((s) => s.ready.then((m) => closeAmqpConnection(m, connectTimeoutMs)));
    for (const result of await Promise.allSettled(models)) {
      if (result.status === 'rejected') warn(result.reason, 'an AMQP connection never opened');
    }
    slots.clear();
    open.clear();
  }

  return {
    publish: (exchange, routingKey, content, publishOptions, signal) =>
      withChannel(
        (ch) =>
          publishConfirmed(ch, [{ exchange, routingKey, content, options: publishOptions }], {
            signal,
            timeoutMs: confirmTimeoutMs,
          }),
        signal,
      ),
    publishBatch: (messages, signal) =>
      messages.length === 0
        ? Promise.resolve()
        : withChannel(
            (ch) => publishConfirmed(ch, messages, { signal, timeoutMs: confirmTimeoutMs }),
            signal,
          ),
    withChannel,
    stats,
    connected: () => [...slots].some((s) => s.model),
    close: () => (closing ??= shutdown()),
  };
}
