import { EventSource } from 'eventsource';
import { notificationTypes } from '../../../contracts/envelope.ts';

/** One event as a test saw it, with when it arrived (epoch milliseconds). */
export interface ReceivedEvent {
  type: string;
  id: string;
  data: string;
  receivedAt: number;
}

export interface SseTestClient {
  source: EventSource;
  events: ReceivedEvent[];
  /** Notification events only (not `connected`, not `gap`). */
  notifications(): ReceivedEvent[];
  connected: Promise<{ clientId: string }>;
  close(): void;
}

/** A real `eventsource` client recording every event type the service sends. */
export function openSse(url: string, headers: Record<string, string> = {}): SseTestClient {
  const source = new EventSource(url, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers } }),
  });
  const events: ReceivedEvent[] = [];
  const record = (event: MessageEvent<string>) =>
    events.push({ type: event.type, id: event.lastEventId, data: event.data, receivedAt: Date.now() });
  for (const type of [...notificationTypes, 'gap']) source.addEventListener(type, record);
  const connected = new Promise<{ clientId: string }>((resolve, reject) => {
    source.addEventListener('connected', (event: MessageEvent<string>) =>
      resolve(JSON.parse(event.data) as { clientId: string }),
    );
    source.addEventListener('error', (event) => reject(new Error(`SSE error: ${event.message ?? ''}`)), {
      once: true,
    });
  });
  connected.catch(() => undefined);
  return {
    source,
    events,
    notifications: () => events.filter((e) => e.type !== 'gap'),
    connected,
    close: () => source.close(),
  };
}
