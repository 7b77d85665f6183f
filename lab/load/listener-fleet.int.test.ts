import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Server as SocketIoServer } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExpectedNotification } from '../measure/correlation.ts';
import { nowUs } from '../metrics/clock.ts';
import { startListenerFleet, type ListenerFleet } from './listener-fleet.ts';
import { clientKinds, transports } from './listener-protocol.ts';

/** A stand-in notifications service: SSE at /stream, Socket.IO at /socket.io, one broadcast(). */
async function startFakeNotifications() {
  const streams: ServerResponse[] = [];
  const http = createServer((req, res) => {
    if (!req.url?.startsWith('/stream')) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('retry: 100\n\nevent: connected\ndata: {}\n\n');
    streams.push(res);
  });
  const io = new SocketIoServer(http, { path: '/socket.io' });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  let n = 0;
  return {
    baseUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    broadcast(type: string, correlationId: string) {
      const envelope = { messageId: `m${++n}`, type, correlationId };
      for (const s of streams) s.write(`id: m${n}\nevent: ${type}\ndata: ${JSON.stringify(envelope)}\n\n`);
      io.emit(type, envelope);
    },
    async close() {
      for (const s of streams) s.destroy();
      await io.close();
    },
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

let fleet: ListenerFleet | undefined;
let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await fleet?.close();
  await closeServer?.();
});

describe('listener fleet', () => {
  it('joins receipts with expectations: exact delivery, latency from the intended send, live samples', async () => {
    const server = await startFakeNotifications();
    closeServer = () => server.close();
    const liveSamples = { sse: 0, socketio: 0 };
    fleet = startListenerFleet({
      baseUrl: server.baseUrl,
      ssePath: '/stream',
      socketPath: '/socket.io',
      sse: 2,
      socketio: 2,
      runId: 'fleet-test',
      workers: 1,
      onLatency: (t, batch) => (liveSamples[t] += batch.counts.reduce((a, b) => a + b, 0)),
    });
    await fleet.waitConnected(20_000);
    // Intended 200 ms ago: every latency is at least that.
    const intendedSendUs = nowUs() - 200_000;
    const expected: ExpectedNotification[] = [
      { type: 'student.created', correlationId: 'fleet-test-1', intendedSendUs },
      { type: 'student.cached', correlationId: 'fleet-test-1', intendedSendUs },
    ];
    // The receipt may beat the expectation to the process; the live join waits for it.
    server.broadcast('student.created', 'fleet-test-1');
    fleet.expect(expected);
    server.broadcast('student.cached', 'fleet-test-1');
    server.broadcast('student.created', 'someone-else-9');
    const receipts = (): number => transports.reduce((s, t) => s + fleet!.counters()[t].receipts, 0);
    await until(() => receipts() >= 12, 'twelve receipts');
    await until(() => liveSamples.sse + liveSamples.socketio >= 8, 'eight live samples');

    const analysis = await fleet.join(expected);
    for (const t of transports) {
      expect(analysis.byTransport[t].totals).toMatchObject({
        listeners: 2,
        received: 4,
        missing: 0,
        duplicated: 0,
        unexpected: 2,
      });
    }
    // 2 per transport: one lean listener and, the default 10 % share rounded up to one, one library.
    for (const t of transports) {
      for (const c of clientKinds) {
        expect(analysis.byClient[t][c].totals).toMatchObject({ listeners: 1, received: 2, missing: 0 });
        expect(fleet.countersByClient()[t][c]).toMatchObject({ connected: 1, receipts: 3 });
      }
    }
    expect(analysis.latency.count).toBe(8);
    // From the intended send, 200 ms back; the margin covers the listener process's clock, whose
    // epoch origin may differ from this one's by a few ms on a loaded machine.
    expect(analysis.latency.summary().minMs).toBeGreaterThanOrEqual(180);
    expect(analysis.latency.summary().maxMs).toBeLessThan(20_000);
    expect(analysis.timeToLastSubscriber.count).toBe(2);
    expect([...analysis.reachedCorrelationIds]).toEqual(['fleet-test-1']);
    expect(liveSamples).toEqual({ sse: 4, socketio: 4 });
    expect(fleet.processHealth()).toHaveLength(1);
  });
});
