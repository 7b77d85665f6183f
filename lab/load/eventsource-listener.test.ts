import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { nowUs } from '../metrics/clock.ts';
import { openEventSourceListener } from './eventsource-listener.ts';
import { createCorrelationCache, type ListenerConnection } from './listener-connections.ts';
import { recordListener } from './testing/listener-recorder.ts';

const frame = (id: string, type: string, correlationId: string): string =>
  `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ messageId: id, correlationId })}\n\n`;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An SSE endpoint; `respond` is called with the request's index. */
async function sseServer(respond: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const requests: IncomingMessage[] = [];
  const http = createServer((req, res) => {
    requests.push(req);
    respond(requests.length, req, res);
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  cleanups.push(() => new Promise((resolve) => http.close(resolve)));
  cleanups.push(() => http.closeAllConnections());
  return { url: new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/stream`), requests };
}

function open(url: URL, events: ReturnType<typeof recordListener>['events']): void {
  const connection: ListenerConnection = openEventSourceListener({
    url,
    events,
    correlationOf: createCorrelationCache(),
    retryMs: 10,
  });
  cleanups.push(() => connection.close());
}

const stream = (res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write('retry: 10\n\nevent: connected\ndata: {"clientId":"c"}\n\n');
};

describe('eventsource listener', () => {
  it('reports every notification type, and resumes with Last-Event-ID after the stream drops', async () => {
    const { url, requests } = await sseServer((n, _req, res) => {
      stream(res);
      if (n === 1) {
        res.write(frame('m1', 'student.created', 'run-1'));
        res.write(frame('m2', 'student.deleted', 'run-1'));
        setTimeout(() => res.destroy(), 20);
      } else res.write(frame('m3', 'student.cached', 'run-2'));
    });
    const r = recordListener();
    const startedUs = nowUs();
    open(url, r.events);
    await r.until((s) => s.notifications.length === 3, 'three notifications');
    expect(requests.map((req) => req.headers['last-event-id'])).toEqual([undefined, 'm2']);
    expect(r.seen.notifications.map((n) => [n.type, n.correlationId])).toEqual([
      ['student.created', 'run-1'],
      ['student.deleted', 'run-1'],
      ['student.cached', 'run-2'],
    ]);
    for (const n of r.seen.notifications) {
      expect(n.receivedAtUs).toBeGreaterThanOrEqual(startedUs);
      expect(n.receivedAtUs).toBeLessThanOrEqual(nowUs());
    }
    expect(r.seen).toMatchObject({ lost: 1, failed: 1 });
    expect(r.seen.opened).toHaveLength(2);
  });

  it('opens a new EventSource after the service answered with an error status', async () => {
    const { url } = await sseServer((n, _req, res) => {
      if (n === 1) return void res.writeHead(503).end();
      stream(res);
      res.write(frame('m1', 'student.updated', 'run-3'));
    });
    const r = recordListener();
    open(url, r.events);
    await r.until((s) => s.notifications.length === 1, 'a notification after the 503');
    expect(r.seen).toMatchObject({ failed: 1, lost: 0 });
    expect(r.seen.opened).toEqual([{ recovered: false }]);
  });
});
