import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { Server as SocketIoServer } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { nowUs } from '../metrics/clock.ts';
import {
  createCorrelationCache,
  openSocketListener,
  openSseListener,
  type ListenerConnection,
  type ListenerEvents,
} from './listener-connections.ts';

interface Recorded {
  opened: number;
  lost: number;
  failed: number;
  notifications: { type: string; correlationId: string; receivedAtUs: number }[];
}

/** Events recorded, and a promise per count of notifications. */
function recorder(): { events: ListenerEvents; seen: Recorded; notified(count: number): Promise<void> } {
  const seen: Recorded = { opened: 0, lost: 0, failed: 0, notifications: [] };
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    seen,
    events: {
      opened: () => void (seen.opened += 1),
      lost: () => void (seen.lost += 1),
      failed: () => void (seen.failed += 1),
      notification(type, correlationId, receivedAtUs) {
        seen.notifications.push({ type, correlationId, receivedAtUs });
        for (const w of waiters) if (seen.notifications.length >= w.count) w.resolve();
      },
    },
    notified: (count) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ count, resolve });
        setTimeout(() => reject(new Error(`fewer than ${count} notifications within 5 s`)), 5000).unref();
      }),
  };
}

const frame = (id: string, correlationId: string): string =>
  `id: ${id}\nevent: student.created\ndata: ${JSON.stringify({ messageId: id, correlationId })}\n\n`;

const servers: Server[] = [];
const connections: ListenerConnection[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('SSE listener', () => {
  it('reconnects with Last-Event-ID after the stream drops and stamps each receipt', async () => {
    const lastEventIds: (string | undefined)[] = [];
    const server = createServer((req, res: ServerResponse) => {
      lastEventIds.push(req.headers['last-event-id'] as string | undefined);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('retry: 10\n\nevent: connected\ndata: {"clientId":"c"}\n\n');
      if (lastEventIds.length === 1) {
        res.write(frame('m1', 'run-1'));
        setImmediate(() => res.destroy());
      } else res.write(frame('m2', 'run-2'));
    });
    const baseUrl = await listen(server);
    const r = recorder();
    const startedUs = nowUs();
    connections.push(
      openSseListener({
        url: new URL('/stream', baseUrl),
        events: r.events,
        correlationOf: createCorrelationCache(),
      }),
    );
    await r.notified(2);
    expect(lastEventIds).toEqual([undefined, 'm1']);
    expect(r.seen.notifications.map((n) => [n.type, n.correlationId])).toEqual([
      ['student.created', 'run-1'],
      ['student.created', 'run-2'],
    ]);
    for (const n of r.seen.notifications) {
      expect(n.receivedAtUs).toBeGreaterThanOrEqual(startedUs);
      expect(n.receivedAtUs).toBeLessThanOrEqual(nowUs());
    }
    expect(r.seen).toMatchObject({ opened: 2, lost: 1, failed: 1 });
  });
});

describe('Socket.IO listener', () => {
  it('reports each notification with the time its packet arrived', async () => {
    const http = createServer();
    const io = new SocketIoServer(http, { path: '/socket.io' });
    io.on('connection', (socket) => {
      socket.emit('connected', { clientId: socket.id });
      socket.emit('student.cached', { correlationId: 'run-7' });
    });
    const baseUrl = await listen(http);
    const r = recorder();
    const startedUs = nowUs();
    connections.push(openSocketListener({ baseUrl, path: '/socket.io', events: r.events }));
    await r.notified(1);
    expect(r.seen.notifications).toHaveLength(1);
    expect(r.seen.notifications[0]).toMatchObject({ type: 'student.cached', correlationId: 'run-7' });
    expect(r.seen.notifications[0]!.receivedAtUs).toBeGreaterThanOrEqual(startedUs);
    expect(r.seen.opened).toBe(1);
    await io.close();
  });
});
