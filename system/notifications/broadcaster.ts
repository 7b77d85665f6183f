import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { epochUs } from '../../contracts/clock.ts';
import type { JourneyLog } from '../shared/journey-log.ts';
import { recordSpan } from '../shared/spans.ts';
import { traceIdOf, tracingActive } from '../shared/tracing.ts';
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
  /**
   * Several notifications in publish order, each client's share in one write where it can (its
   * socket corked across them): a backlog then costs one system call per client, not one per
   * notification. One Delivery per notification.
   */
  broadcastBatch?(notifications: readonly Notification[]): Delivery[];
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
  /** Most notifications fanned out together when a backlog has formed (default 16). */
  maxBatch?: number;
  now?: () => number;
  /** Marks when each transport's fan-out of a notification began and ended. */
  journey?: JourneyLog;
}

/**
 * Serialises each notification once (the JSON string every SSE frame and the replay entry reuse;
 * Socket.IO encodes a broadcast once per packet) and fans it out. A Redis outage costs replay,
 * never live delivery: the append is bounded in time and its failure is logged.
 */
const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createBroadcaster(options: BroadcasterOptions): Broadcaster {
  const { sinks, replay, metrics, logger, appendTimeoutMs = 500, maxBatch = 16, now = Date.now } = options;
  interface Pending {
    envelope: Envelope;
    json: string;
    /** The consuming span's context, parent of the fan-out's spans (tracing on). */
    trace: Context;
    appended: Promise<string | undefined>;
    done(error?: Error): void;
  }
  const pending: Pending[] = [];
  let draining = false;
  const gaps = createGapMarker({
    replay,
    onError: (error) => logger.warn({ err: error }, 'replay buffer gap marker failed; retrying'),
  });

  async function appendBounded(envelope: Envelope, json: string): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        // Live clients still get it, but without a stream id: a Socket.IO client holding its
        // offset cannot be recovered past it, so the operator should hear of it.
        logger.warn(
          { messageId: envelope.messageId, timeoutMs: appendTimeoutMs },
          'replay buffer append timed out; fanned out without a stream id',
        );
        resolve(undefined);
      }, appendTimeoutMs);
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

  const { journey } = options;
  function fanOut(notifications: Notification[], traces: readonly Context[] = []): void {
    // Each notification's exemplar for the pipeline histogram: its trace id, when it has one.
    const exemplars = notifications.map(({ envelope }): Record<string, string> => {
      const traceId = traceIdOf(envelope.traceparent);
      return traceId ? { trace_id: traceId } : {};
    });
    for (const sink of sinks) {
      const started = performance.now();
      const deliveries =
        notifications.length > 1 && sink.broadcastBatch
          ? sink.broadcastBatch(notifications)
          : notifications.map((n) => sink.broadcast(n));
      const ended = performance.now();
      const [startUs, endUs] = [epochUs(started), epochUs(ended)];
      for (const { envelope } of notifications) {
        journey?.mark(`fanout.${sink.transport}`, envelope.correlationId, envelope.type, startUs, endUs);
      }
      if (tracingActive()) {
        const startMs = performance.timeOrigin + started;
        const endMs = performance.timeOrigin + ended;
        deliveries.forEach(({ clients }, i) =>
          recordSpan(`fanout ${sink.transport}`, traces[i] ?? ROOT_CONTEXT, startMs, endMs, {
            'event_lab.transport': sink.transport,
            'event_lab.clients': clients,
            'event_lab.batch': notifications.length,
          }),
        );
      }
      const labels = { transport: sink.transport };
      logger.debug(
        { ...labels, notifications: notifications.length, fanOutMs: Math.round(ended - started) },
        'fan-out',
      );
      deliveries.forEach(({ clients: written, bytes }, i) => {
        const notification = notifications[i] as Notification;
        if (written === 0) return;
        metrics.deliveries.inc({ ...labels, type: notification.envelope.type }, written);
        metrics.bytesWritten.inc(labels, bytes);
        // Both sinks hand their bytes to each socket inside the call (SSE straight to the socket,
        // Socket.IO to its WebSocket sender), so the bytes are with the kernel by now.
        metrics.pipelineLatency.observe({
          labels,
          value: Math.max(0, now() - notification.occurredAtMs) / 1000,
          exemplarLabels: exemplars[i],
        });
      });
    }
  }

  /**
   * Fans out what is waiting, in publish order: one notification when they arrive slower than
   * they are fanned out, several at once (up to maxBatch) once a backlog has formed.
   */
  async function drain(): Promise<void> {
    draining = true;
    try {
      while (pending.length > 0) {
        // Back to the event loop between fan-outs: a backlog of notifications must not starve
        // socket reads, timers and the AMQP heartbeat (chained promises alone never yield). It also
        // lets the messages that arrived during the last fan-out join this batch.
        await nextMacrotask();
        const batch = pending.splice(0, maxBatch);
        // Never rejects (bounded, failures become gap markers); in publish order whatever order
        // the appends finish in.
        const streamIds = await Promise.all(batch.map((p) => p.appended));
        // A fan-out starts from a macrotask of its own, never from the microtasks of a Redis reply
        // (the append's): a Socket.IO recovery that read the replay stream in the same reply must
        // join its socket to the rooms before any broadcast runs (socket-recovery.ts).
        await nextMacrotask();
        try {
          fanOut(
            batch.map((p, i) => toNotification(p.envelope, streamIds[i], p.json)),
            batch.map((p) => p.trace),
          );
          for (const p of batch) p.done();
        } catch (error) {
          const failure = error instanceof Error ? error : new Error('fan-out failed', { cause: error });
          for (const p of batch) p.done(failure);
        }
      }
    } finally {
      draining = false;
    }
  }

  return {
    publish(envelope) {
      const json = JSON.stringify(envelope);
      // Appends start at once (Redis pipelines them in order); broadcasts wait their turn.
      const appended = appendBounded(envelope, json);
      return new Promise<void>((resolve, reject) => {
        pending.push({
          envelope,
          json,
          trace: context.active(),
          appended,
          done: (error) =>
            error === undefined
              ? resolve()
              : reject(error instanceof Error ? error : new Error(String(error))),
        });
        if (!draining) void drain();
      });
    },
    signalGap(reason) {
      for (const sink of sinks) sink.signalGap(reason);
      gaps.mark(reason);
    },
    close: () => gaps.close(),
  };
}
