import type { AddressInfo } from 'node:net';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../contracts/http.ts';
import { startHarness, type NotificationsHarness } from './testing/notifications-harness.ts';

let h: NotificationsHarness;
beforeAll(async () => {
  h = await startHarness({ CORS_ORIGINS: 'http://dashboards.example:3000' });
});
afterAll(async () => {
  await h?.close();
});

const stream = (origin?: string) =>
  fetch(`${h.baseUrl}/api/notifications/stream`, {
    headers: origin ? { origin } : {},
    signal: AbortSignal.timeout(5_000),
  });

/** Resolves with 'connected' or the connect error's message. */
function socketOutcome(origin: string): Promise<string> {
  const socket = ioClient(h.baseUrl, {
    path: routes.socketIo,
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { origin },
  });
  return new Promise((resolve) => {
    socket.once('connect', () => (socket.disconnect(), resolve('connected')));
    socket.once('connect_error', (error) => (socket.disconnect(), resolve(error.message)));
  });
}

describe('what the notifications service exposes', () => {
  it('listens on the loopback interface by default', () => {
    expect((h.service.testing.server.address() as AddressInfo).address).toBe('127.0.0.1');
  });

  it('refuses a stream opened by a page of an unlisted origin and never answers CORS *', async () => {
    const foreign = await stream('http://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const own = await stream();
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBeNull();
    expect(own.headers.get('x-content-type-options')).toBe('nosniff');
    await own.body?.cancel();
  });

  it('sends the same headers on a stream served ahead of express as on one express serves', async () => {
    // The exact path is taken before express; a trailing slash is the same route to express.
    const fast = await stream('http://dashboards.example:3000');
    const viaExpress = await fetch(`${h.baseUrl}/api/notifications/stream/`, {
      headers: { origin: 'http://dashboards.example:3000' },
      signal: AbortSignal.timeout(5_000),
    });
    const headersOf = (res: Response) => {
      const headers: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        if (name !== 'date') headers[name] = value;
      });
      return headers;
    };
    expect(viaExpress.status).toBe(200);
    expect(headersOf(fast)).toEqual(headersOf(viaExpress));
    expect(headersOf(fast)).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      vary: 'Origin',
    });
    await Promise.all([fast.body?.cancel(), viaExpress.body?.cancel()]);
  });

  it('names a listed origin in CORS', async () => {
    const listed = await stream('http://dashboards.example:3000');
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe('http://dashboards.example:3000');
    await listed.body?.cancel();
  });

  it('refuses a Socket.IO session from an unlisted origin and accepts a listed one', async () => {
    expect(await socketOutcome('http://evil.example')).not.toBe('connected');
    expect(await socketOutcome('http://dashboards.example:3000')).toBe('connected');
  });

  it('sends nosniff on pages and problem documents', async () => {
    for (const path of ['/', '/no/such/path']) {
      const res = await fetch(`${h.baseUrl}${path}`);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });
});
