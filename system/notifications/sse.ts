import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../shared/logger.ts';
import type { Delivery, NotificationSink } from './broadcaster.ts';
import type { Notification } from './events.ts';
import type { NotificationsMetrics } from './notifications-metrics.ts';
import type { ReplayStore } from './redis-replay-store.ts';
import { gapReasonOf, isGapEntry } from './replay-gap.ts';
import { SseClient } from './sse-client.ts';
import { takeOverStreamSocket } from './stream-socket.ts';
import {
  frameOf,
  gapFrame,
  heartbeatFrame,
  type GapReason,
  notificationFrame,
  openingFrame,
  parseTypes,
} from './sse-frames.ts';

export interface SseHubOptions {
  replay: ReplayStore;
  metrics: NotificationsMetrics;
  logger: Pick<Logger, 'info' | 'warn'>;
  heartbeatMs: number;
  retryMs: number;
  maxBufferedBytes: number;
  drainTimeoutMs: number;
  /** Entries read from the replay buffer per round trip (default 500). */
  replayPageSize?: number;
}

export interface SseHub {
  /** Request handler for `GET /api/notifications/stream` (and its alias). */
  /**
   * `extraHeaders` (name, value, …) are sent with the stream's own. Given as a list rather than set
   * on the response, the response keeps no header table for the life of the stream (about 1 KB).
   */
  handle(
    req: IncomingMessage & { query?: unknown },
    res: ServerResponse,
    extraHeaders?: readonly string[],
  ): void;
  sink: NotificationSink;
  size(): number;
  /** Ends every stream and stops the heartbeat. */
  close(): void;
}

/** Name, value, name, value…: handed to writeHead as one list, nothing is kept per stream. */
const streamHeaders: readonly string[] = [
  'Content-Type',
  'text/event-stream; charset=utf-8',
  'Cache-Control',
  'no-cache, no-transform',
  'X-Accel-Buffering',
  'no',
  // The body runs until the connection closes (no chunked framing), so say so.
  'Connection',
  'close',
];

function lastEventIdOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['last-event-id'];
  const value = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('lastEventId');
  return value ? value.trim() || undefined : undefined;
}

/**
 * Server-Sent Events fan-out. Each notification becomes one frame string shared by
 * every client; one heartbeat timer serves all clients; replay reads the Redis Stream in pages and
 * respects backpressure, while live notifications arriving meanwhile are held and de-duplicated.
 */
export function createSseHub(options: SseHubOptions): SseHub {
  const { metrics, logger, replay, replayPageSize = 500 } = options;
  const clients = new Set<SseClient>();
  const gauge = () => metrics.connected.set({ transport: 'sse' }, clients.size);
  // A client that got a notification within the interval needs no heartbeat: while notifications
  // flow, the sweep writes nothing instead of a burst to every client at once.
  const heartbeat = setInterval(() => {
    const staleBefore = Date.now() - options.heartbeatMs;
    for (const client of clients) if (client.wroteAtMs <= staleBefore) client.write(heartbeatFrame);
  }, options.heartbeatMs);
  heartbeat.unref();

  const onDrop = (client: SseClient, reason: 'buffer' | 'stalled') => {
    metrics.dropped.inc({ transport: 'sse', reason });
    logger.warn({ clientId: client.id, reason }, 'dropped slow SSE client');
  };

  /** What a replay sent: message ids, and the stream id of the last entry it covered. */
  interface Replayed {
    sent: Set<string>;
    through?: string;
  }

  async function replayTo(client: SseClient, lastEventId: string): Promise<Replayed> {
    const replayed: Replayed = { sent: new Set<string>() };
    const { sent } = replayed;
    const position = await replay.locate(lastEventId);
    if (position.kind === 'unknown') {
      client.write(gapFrame({ lastEventId, reason: 'unknown-id' }));
      return replayed;
    }
    if (position.gap) client.write(gapFrame({ lastEventId, reason: 'trimmed' }));
    let after = position.streamId;
    for (;;) {
      const page = await replay.readAfter(after, replayPageSize);
      for (const entry of page) {
        sent.add(entry.messageId);
        replayed.through = entry.streamId;
        if (isGapEntry(entry)) client.write(gapFrame({ lastEventId, reason: gapReasonOf(entry) }));
        else if (client.wants(entry.type))
          client.write(notificationFrame(entry.messageId, entry.type, entry.json));
      }
      metrics.replayed.inc({ transport: 'sse' }, page.length);
      if (page.length < replayPageSize || client.closed) return replayed;
      after = page[page.length - 1]?.streamId ?? after;
      await client.drained();
    }
  }

  async function catchUp(client: SseClient, lastEventId: string): Promise<void> {
    client.hold();
    let replayed: Replayed = { sent: new Set<string>() };
    try {
      replayed = await replayTo(client, lastEventId);
    } catch (error) {
      logger.warn({ err: error, clientId: client.id }, 'SSE replay failed');
      client.write(gapFrame({ lastEventId, reason: 'replay-unavailable' }));
    }
    client.release(replayed.sent, replayed.through);
  }

  function handle(req: IncomingMessage, res: ServerResponse, extraHeaders: readonly string[] = []): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // No chunked framing: the stream ends with the connection (Node then sends `Connection: close`),
    // so each notification is one plain write of the shared bytes, not three per client.
    res.removeHeader('Transfer-Encoding');
    res.writeHead(200, [...streamHeaders, ...extraHeaders]);
    res.flushHeaders();
    const { socket } = res;
    if (!socket) return void res.end();
    takeOverStreamSocket(req, res);
    const client = new SseClient({
      id: randomUUID(),
      out: socket,
      types: parseTypes(url.searchParams.getAll('types')),
      maxBufferedBytes: options.maxBufferedBytes,
      drainTimeoutMs: options.drainTimeoutMs,
      onDrop,
    });
    clients.add(client);
    gauge();
    socket.on('close', () => {
      client.dispose();
      clients.delete(client);
      gauge();
    });
    client.write(openingFrame(options.retryMs, client.id));
    const lastEventId = lastEventIdOf(req, url);
    if (lastEventId) void catchUp(client, lastEventId);
  }

  /** Tells every connected client that notifications were lost (they should refetch). */
  function signalGap(reason: GapReason): void {
    const frame = gapFrame({ reason });
    for (const client of clients) client.write(frame);
  }

  function broadcast(notification: Notification): Delivery {
    const { messageId, type } = notification.envelope;
    const frame = frameOf(notification);
    const nowMs = Date.now();
    let written = 0;
    for (const client of clients) {
      if (!client.wants(type) || client.replayedAlready(notification.streamId)) continue;
      if (client.holding(messageId, frame)) continue;
      if (client.write(frame)) {
        written++;
        client.wroteAtMs = nowMs;
      }
    }
    return { clients: written, bytes: written * Buffer.byteLength(frame) };
  }

  function broadcastBatch(notifications: readonly Notification[]): Delivery[] {
    const corked = [...clients];
    for (const client of corked) client.cork();
    try {
      return notifications.map(broadcast);
    } finally {
      for (const client of corked) client.uncork();
    }
  }

  return {
    handle,
    sink: { transport: 'sse', broadcast, broadcastBatch, signalGap },
    size: () => clients.size,
    close() {
      clearInterval(heartbeat);
      for (const client of clients) client.end();
      clients.clear();
      gauge();
    },
  };
}
