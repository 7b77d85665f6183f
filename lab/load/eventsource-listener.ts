// The library SSE listener: the `eventsource` package (fetch, WHATWG streams, MessageEvent dispatch),
// as a Node client of the service would use it. A fleet keeps a share of these beside the raw
// `node:http` listeners, so what a real client pays per notification is measured, not assumed.
import { EventSource } from 'eventsource';
import { notificationTypes } from '../../contracts/envelope.ts';
import { nowUs } from '../metrics/clock.ts';
import type { ListenerConnection, ListenerEvents } from './listener-connections.ts';
import type { SseFrame } from './sse-frame-parser.ts';

export interface EventSourceListenerOptions {
  url: URL;
  events: ListenerEvents;
  correlationOf(frame: SseFrame): string | undefined;
  /** Delay before a new EventSource when the library gave up on one, ms. Default 3000. */
  retryMs?: number;
}

/**
 * One EventSource. It reconnects by itself with `Last-Event-ID` after a dropped stream; when it
 * fails a connection for good (a non-200 answer closes it, as the standard says) a new one is made
 * after `retryMs`, so a restart of the service does not leave it silent. Events are reported as the
 * raw listener reports them: `opened` at the service's `connected` event, `failed` and `lost` when
 * an open stream ends.
 *
 * Its source address is the default one (127.0.0.1 towards a local service): the library's fetch
 * takes no `localAddress`, and a fleet's library share stays far below one address's ports.
 */
export function openEventSourceListener(options: EventSourceListenerOptions): ListenerConnection {
  const retryMs = options.retryMs ?? 3000;
  let source: EventSource | undefined;
  let open = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const start = (): void => {
    const es = new EventSource(options.url);
    source = es;
    es.addEventListener('connected', () => {
      if (open) return;
      open = true;
      options.events.opened({ recovered: false });
    });
    es.addEventListener('error', () => {
      if (closed) return;
      options.events.failed();
      if (open) options.events.lost();
      open = false;
      if (es.readyState === es.CLOSED) timer = setTimeout(start, retryMs);
    });
    // eventsource dispatches a named event only to the listeners of that name.
    for (const type of notificationTypes) {
      es.addEventListener(type, (event: MessageEvent<string>) => {
        // As early as the library allows: after its fetch stream, decoder, parser and dispatch.
        // That cost is included on purpose; it is what this listener is here to measure.
        const receivedAtUs = nowUs();
        const frame: SseFrame = { event: type, data: event.data };
        if (event.lastEventId !== '') frame.id = event.lastEventId;
        const correlationId = options.correlationOf(frame);
        if (correlationId !== undefined) options.events.notification(type, correlationId, receivedAtUs);
      });
    }
  };

  start();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
  };
}
