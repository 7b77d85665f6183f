import { connect, type Socket as NetSocket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type NotificationsHarness } from './testing/notifications-harness.ts';
import { openSse, type SseTestClient } from './testing/sse-test-client.ts';

let h: NotificationsHarness;
const fillerBytes = 64 * 1024;
// Loopback absorbs about 4 MB into kernel buffers before a non-reading client pushes back.
const perPhase = 100;

beforeAll(async () => {
  h = await startHarness({ CLIENT_MAX_BUFFER_BYTES: String(256 * 1024), CLIENT_DRAIN_TIMEOUT_MS: '1000' });
});
afterAll(() => h.close());

const metric = async (name: string, labels: string) => {
  const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
};

/** A client that sends the SSE request and never reads a byte of the answer. */
function openStalledClient(port: number): Promise<NetSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        'GET /api/notifications/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n',
      );
      socket.pause();
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

/** Publishes `count` large notifications 20 ms apart; returns each one's delivery latency (ms) on `sse`. */
async function phaseLatencies(sse: SseTestClient): Promise<number[]> {
  const start = sse.notifications().length;
  const sentAt = new Map<string, number>();
  for (let i = 0; i < perPhase; i++) {
    const envelope = h.publish({ filler: fillerBytes });
    sentAt.set(envelope.messageId, Date.now());
    await new Promise((r) => setTimeout(r, 20));
  }
  await h.waitFor(() => sse.notifications().length >= start + perPhase, 20_000, 'phase delivery');
  return sse
    .notifications()
    .slice(start)
    .map((e) => e.receivedAt - (sentAt.get(e.id) ?? Number.NaN));
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

describe('slow clients', () => {
  it('drops an SSE client that never reads, without delaying delivery to the others', async () => {
    const sse = openSse(`${h.baseUrl}/api/notifications/stream`);
    await sse.connected;
    const baseline = await phaseLatencies(sse);

    const port = Number(new URL(h.baseUrl).port);
    const stalled = await openStalledClient(port);
    const closed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    await h.waitFor(async () => (await metric('notifications_connected_clients', 'transport="sse"')) === 2);
    const withStalled = await phaseLatencies(sse);
    await h.waitFor(
      async () => (await metric('notifications_dropped_clients_total', 'transport="sse"')) >= 1,
      5_000,
      'drop',
    );
    // A paused socket notices the server's close only once it reads again.
    stalled.resume();
    await closed;

    const summary = {
      baseline: { p50: percentile(baseline, 50), max: Math.max(...baseline) },
      withStalled: { p50: percentile(withStalled, 50), max: Math.max(...withStalled) },
    };
    console.log('delivery latency (ms) without / with a stalled client', JSON.stringify(summary));
    expect(withStalled).toHaveLength(perPhase);
    // Unaffected within noise: a blocked fan-out would add the whole drain deadline (1,000 ms).
    expect(summary.withStalled.p50).toBeLessThan(
      Math.max(summary.baseline.p50 * 3, summary.baseline.p50 + 50),
    );
    expect(summary.withStalled.max).toBeLessThan(Math.max(summary.baseline.max * 3, 500));
    sse.close();
    stalled.destroy();
  });

  it('drops a Socket.IO client whose socket stops reading', async () => {
    const socket = h.socketClient();
    await new Promise((resolve) => socket.once('connected', resolve));
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    // The client's own TCP socket stops reading: the server's buffers fill as they would for a stalled phone.
    const engine = socket.io.engine as unknown as { transport: { ws: { _socket: NetSocket } } };
    engine.transport.ws._socket.pause();
    const before = await metric('notifications_dropped_clients_total', 'transport="socketio"');
    for (let i = 0; i < perPhase; i++) h.publish({ filler: fillerBytes });
    await h.waitFor(
      async () => (await metric('notifications_dropped_clients_total', 'transport="socketio"')) > before,
      15_000,
      'socket.io drop',
    );
    engine.transport.ws._socket.resume();
    expect(await disconnected).toMatch(/transport (close|error)/);
  });
});

describe('shutting down with a client that stopped reading', () => {
  it('does not wait on it: its stream is cut after a short grace', async () => {
    // Buffers and the drain deadline large enough that the client is not dropped before shutdown.
    const h2 = await startHarness({
      CLIENT_MAX_BUFFER_BYTES: String(64 * 1024 * 1024),
      CLIENT_DRAIN_TIMEOUT_MS: '60000',
    });
    let closed = false;
    try {
      const port = Number(new URL(h2.baseUrl).port);
      const stalled = await openStalledClient(port);
      const sse = openSse(`${h2.baseUrl}/api/notifications/stream`);
      await sse.connected;
      // More than loopback's kernel buffers hold, so bytes stay queued in the server.
      for (let i = 0; i < perPhase; i++) h2.publish({ filler: fillerBytes });
      await h2.waitFor(() => sse.notifications().length >= perPhase, 20_000, 'delivery to the reader');
      sse.close();
      const started = Date.now();
      await h2.close();
      closed = true;
      expect(Date.now() - started).toBeLessThan(5_000);
      stalled.destroy();
    } finally {
      if (!closed) await h2.close();
    }
  }, 60_000);
});
