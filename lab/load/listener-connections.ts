// The raw SSE listener (the lean one) and the socket.io-client listener (the library one); the
// lean Socket.IO listener is in lean-socketio-listener.ts, the eventsource one in
// eventsource-listener.ts. These two take their receipt time when the bytes reach the process (the
// SSE chunk, the Engine.IO packet), before any JSON parsing or event dispatch, so the listener's
// own work is not counted as system latency.
import { request, type ClientRequest } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { notificationTypes } from '../../contracts/envelope.ts';
import { nowUs } from '../metrics/clock.ts';
import { createSseFrameParser, type SseFrame } from './sse-frame-parser.ts';

/** What a listener tells its process; the process keeps the counters and the receipts. */
export interface ListenerEvents {
  /** A connection (first or again) was established. */
  opened(info: { recovered: boolean }): void;
  /** An established connection was lost. */
  lost(): void;
  /** A connection attempt or an established connection failed. */
  failed(): void;
  notification(type: string, correlationId: string, receivedAtUs: number): void;
}

export interface ListenerConnection {
  close(): void;
}

/** Maps an event name to the one shared string for it, so millions of receipts share a few strings. */
export const notificationTypeOf = new Map<string, string>(notificationTypes.map((t) => [t, t]));

/**
 * The same notification reaches every SSE listener of a process: its envelope is parsed once and
 * its correlation id remembered by message id.
 */
export function createCorrelationCache(): (frame: SseFrame) => string | undefined {
  const byMessageId = new Map<string, string>();
  return (frame) => {
    const cached = frame.id === undefined ? undefined : byMessageId.get(frame.id);
    if (cached !== undefined) return cached;
    const { correlationId } = JSON.parse(frame.data) as { correlationId?: string };
    if (frame.id !== undefined && correlationId !== undefined) byMessageId.set(frame.id, correlationId);
    return correlationId;
  };
}

export interface SseListenerOptions {
  url: URL;
  localAddress?: string;
  events: ListenerEvents;
  correlationOf(frame: SseFrame): string | undefined;
  /** Reconnect delay until the server sends its `retry:` hint, ms. Default 3000 (EventSource's). */
  retryMs?: number;
}

/**
 * A raw `node:http` EventSource: one socket per listener, reconnects after `retry` with
 * `Last-Event-ID` so the service can replay what was missed, as a browser would.
 */
export function openSseListener(options: SseListenerOptions): ListenerConnection {
  let retryMs = options.retryMs ?? 3000;
  let lastEventId: string | undefined;
  let closed = false;
  let req: ClientRequest | undefined;
  let timer: NodeJS.Timeout | undefined;

  const connect = (): void => {
    let open = false;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      // A deliberate close is not a failure.
      if (closed) return;
      options.events.failed();
      if (open) options.events.lost();
      timer = setTimeout(connect, retryMs);
    };
    let chunkAtUs = 0;
    const parser = createSseFrameParser((frame) => {
      if (frame.retryMs !== undefined) retryMs = frame.retryMs;
      if (frame.id !== undefined) lastEventId = frame.id;
      if (frame.event === 'connected' && !open) {
        open = true;
        options.events.opened({ recovered: false });
      } else {
        const type = notificationTypeOf.get(frame.event);
        const correlationId = type === undefined ? undefined : options.correlationOf(frame);
        if (type !== undefined && correlationId !== undefined)
          options.events.notification(type, correlationId, chunkAtUs);
      }
    });
    req = request(options.url, {
      agent: false,
      headers: {
        accept: 'text/event-stream',
        ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}),
      },
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return end();
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        chunkAtUs = nowUs();
        parser.feed(chunk);
      });
      res.on('close', end);
      res.on('error', end);
    });
    req.on('error', end);
    req.end();
  };
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      req?.destroy();
    },
  };
}

export interface SocketListenerOptions {
  baseUrl: string;
  path: string;
  localAddress?: string;
  events: ListenerEvents;
}

export function openSocketListener(options: SocketListenerOptions): ListenerConnection {
  const socket: Socket = io(options.baseUrl, {
    path: options.path,
    transports: ['websocket'],
    // One connection per listener: without forceNew every socket would share one Manager.
    forceNew: true,
    reconnectionDelayMax: 5000,
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  });
  // Engine.IO emits `packet` before it hands the data to Socket.IO's decoder and `onAny`, in the
  // same tick: the time taken here is the receipt time of the notification dispatched next.
  let packetAtUs = 0;
  const stamp = (): void => {
    packetAtUs = nowUs();
  };
  socket.io.on('open', () => socket.io.engine.on('packet', stamp));
  socket.on('connect', () => options.events.opened({ recovered: socket.recovered }));
  socket.on('disconnect', () => options.events.lost());
  socket.on('connect_error', () => options.events.failed());
  socket.onAny((event: string, envelope: { correlationId?: string } | undefined) => {
    const type = notificationTypeOf.get(event);
    if (type === undefined || !envelope?.correlationId) return;
    options.events.notification(type, envelope.correlationId, packetAtUs);
  });
  return { close: () => socket.disconnect() };
}
