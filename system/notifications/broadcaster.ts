import type { Logger } from '../shared/logger.ts';
import type { Envelope } from '../../contracts/envelope.ts';
import { toNotification, type Notification } from './events.ts';
import type { NotificationsMetrics } from './notifications-metrics.ts';
import type { ReplayStore } from './redis-replay-store.ts';
import { type Transport } from '../../contracts/transports.ts';

/** A transport that fans one notification out to its clients; returns how many clients it wrote to. */
export interface NotificationSink {
  transport: Transport;
  broadcast(notification: Notification): number;
}

export interface Broadcaster {
  /**
   * Appends the notification to the replay buffer, then hands it to every transport, in the order
   * `publish` was called. Resolves once every transport has written it to its clients' sockets.
   */
  publish(envelope: Envelope): Promise<void>;
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

  async function appendBounded(envelope: Envelope, json: string): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), appendTimeoutMs);
    });
    const append = replay
      .append({ messageId: envelope.messageId, type: envelope.type, json })
      .catch((error: unknown) => {
        logger.warn({ err: error, messageId: envelope.messageId }, 'replay buffer append failed');
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
      const written = sink.broadcast(notification);
      const labels = { transport: sink.transport };
      logger.debug({ ...labels, written, fanOutMs: Math.round(performance.now() - started) }, 'fan-out');
      if (written > 0) {
        metrics.deliveries.inc({ ...labels, type: notification.envelope.type }, written);
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
  };
}
