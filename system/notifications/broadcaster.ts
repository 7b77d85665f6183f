import type { Logger } from '../shared/logger.ts';
import type { Envelope } from '../../contracts/envelope.ts';
import { toNotification, type Notification } from './events.ts';
import type { NotificationsMetrics } from './notifications-metrics.ts';
import type { ReplayStore } from './redis-replay-store.ts';
import { type Transport } from '../../contracts/transports.ts';
import { createGapMarker } from './replay-gap.ts';
import type { GapReason } from './sse-frames.ts';

/** What one broadcast wrote: to how many clients, and the notification frames' bytes in all. */
export interface Delivery {
  clients: number;
  bytes: number;
}

/** A transport that fans one notification out to its clients. */
export interface NotificationSink {
  transport: Transport;
  broadcast(notification: Notification): Delivery;
  /** Tells every connected client that notifications were lost, so they refetch. */
  signalGap(reason: GapReason): void;
}

export interface Broadcaster {
  /**
   * Appends the notification to the replay buffer, then hands it to every transport, in the order
   * `publish` was called. Resolves once every transport has written it to its clients' sockets.
   */
  publish(envelope: Envelope): Promise<void>;
  /**
   * Notifications were lost before they reached this instance (its queue expired while the broker
   * was away): every connected client is told at once, and the replay buffer records the gap for
   * clients that reconnect later.
   */
  signalGap(reason: GapReason): void;
  /** Stops retrying gap markers. */
  close(): void;
}

export interface BroadcasterOptions {
  sinks: NotificationSink[];
  replay: ReplayStore;
  metrics: NotificationsMetrics;
  logger: Pick<Logger, 'warn' | 'debug'>;
  /** Live delivery never waits longer than this for the replay buffer, in milliseconds (default 500). */
  appendTimeoutMs?: number;
  now?: () => number;
}

/**
 * Serialises each notification once (the JSON string every SSE frame and the replay entry reuse;
 * Socket.IO encodes a broadcast once per packet) and fans it out. A Redis outage costs replay,
 * never live delivery: the append is bounded in time and its failure is logged.
 */
export function createBroadcaster(options: BroadcasterOptions): Broadcaster {
  const { sinks, replay, metrics, logger, appendTimeoutMs = 500, now = Date.now } = options;
  let tail: Promise<void> = Promise.resolve();
  const gaps = createGapMarker({
    replay,
    onError: (error) => logger.warn({ err: error }, 'replay buffer gap marker failed; retrying'),
  });

  async function appendBounded(envelope: Envelope, json: string): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), appendTimeoutMs);
    });
    const append = replay
      .append({ messageId: envelope.messageId, type: envelope.type, json })
      .catch((error: unknown) => {
        logger.warn({ err: error, messageId: envelope.messageId }, 'replay buffer append failed');
        // Live clients get it anyway; a client that reconnects later would miss it in silence,
        // so the buffer records a gap where it should have been (also after a timed-out append).
        gaps.mark('replay-incomplete');
        return undefined;
      });
    try {
      return await Promise.race([append, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  function fanOut(notification: Notification): void {
    for (const sink of sinks) {
      const started = performance.now();
      const { clients: written, bytes } = sink.broadcast(notification);
      const labels = { transport: sink.transport };
      logger.debug({ ...labels, written, fanOutMs: Math.round(performance.now() - started) }, 'fan-out');
      if (written > 0) {
        metrics.deliveries.inc({ ...labels, type: notification.envelope.type }, written);
        metrics.bytesWritten.inc(labels, bytes);
        // Both sinks hand their bytes to each socket inside broadcast() (SSE straight to the socket,
        // Socket.IO to its WebSocket sender), so the bytes are with the kernel by now.
        metrics.pipelineLatency.observe(labels, Math.max(0, now() - notification.occurredAtMs) / 1000);
      }
    }
  }

  return {
    publish(envelope) {
      const json = JSON.stringify(envelope);
      // Appends start at once (Redis pipelines them in order); broadcasts wait their turn.
      const appended = appendBounded(envelope, json);
      const done = tail.then(async () => {
        const streamId = await appended;
        // Back to the event loop between fan-outs: a backlog of notifications must not starve
        // socket reads, timers and the AMQP heartbeat (chained promises alone never yield).
        await new Promise((resolve) => setImmediate(resolve));
        fanOut(toNotification(envelope, streamId, json));
      });
      tail = done.catch(() => undefined);
      return done;
    },
    signalGap(reason) {
      for (const sink of sinks) sink.signalGap(reason);
      gaps.mark(reason);
    },
    close: () => gaps.close(),
  };
}
