import type { IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../contracts/http.ts';
import { startHarness, type NotificationsHarness } from './testing/notifications-harness.ts';

// An idle listener's memory is the fan-out's scaling limit: the request that opened a connection
// must not live as long as the connection.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let h: NotificationsHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
  }
  return ref.deref() === undefined;
}

describe('what an open connection keeps of the request that opened it', () => {
  it('Socket.IO: nothing, once the WebSocket session is up', async () => {
    let request: WeakRef<IncomingMessage> | undefined;
    h.service.testing.socket.io.engine.once('initial_headers', (_headers: unknown, req: IncomingMessage) => {
      request = new WeakRef(req);
    });
    const socket = h.socketClient();
    await new Promise((resolve) => socket.once('connected', resolve));
    expect(request).toBeDefined();
    expect(await collected(request as WeakRef<IncomingMessage>)).toBe(true);
    expect(socket.connected).toBe(true);
    socket.disconnect();
  });

  it('SSE: nothing, once the stream is open, and notifications still arrive', async () => {
    let request: WeakRef<IncomingMessage> | undefined;
    h.service.testing.server.prependOnceListener('request', (req: IncomingMessage) => {
      request = new WeakRef(req);
    });
    const source = new EventSource(`${h.baseUrl}${routes.notificationsStream}`);
    try {
      await new Promise((resolve, reject) => {
        source.onopen = resolve;
        source.onerror = reject;
      });
      expect(await collected(request as WeakRef<IncomingMessage>)).toBe(true);
      const received = new Promise<string>((resolve) =>
        source.addEventListener('student.created', (event) => resolve(event.lastEventId)),
      );
      const envelope = h.publish({ type: 'student.created' });
      expect(await received).toBe(envelope.messageId);
    } finally {
      source.close();
    }
  });
});
