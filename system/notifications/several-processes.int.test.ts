import { randomUUID } from 'node:crypto';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../contracts/http.ts';
import type { Envelope } from '../../contracts/envelope.ts';
import type { ClientToServerEvents, ConnectedEvent, ServerToClientEvents } from './events.ts';
import { portOf, startSiblingHarnesses, type NotificationsHarness } from './testing/notifications-harness.ts';
import { openSse } from './testing/sse-test-client.ts';
import { startSwitchableForwarder, type SwitchableForwarder } from './testing/switchable-forwarder.ts';

let a: NotificationsHarness;
let b: NotificationsHarness;
let forwarder: SwitchableForwarder;

beforeAll(async () => {
  [a, b] = await startSiblingHarnesses();
  forwarder = await startSwitchableForwarder(portOf(a));
});
afterAll(async () => {
  await forwarder?.close();
  await b?.close();
  await a?.close();
});

const consumed = async (h: NotificationsHarness) => {
  const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('notifications_consumed_total{') && l.includes('result="ok"'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
};

/** Publishes `count` notifications and waits until both instances have broadcast them. */
async function publishAndSettle(count: number, input: { studentId?: string } = {}): Promise<Envelope[]> {
  const before = await Promise.all([consumed(a), consumed(b)]);
  const published = Array.from({ length: count }, () => a.publish(input));
  for (const [i, h] of [a, b].entries()) {
    const target = (before[i] ?? 0) + count;
    await a.waitFor(async () => (await consumed(h)) >= target, 10_000, `${count} consumed`);
  }
  return published;
}

function clientThroughForwarder(): Socket<ServerToClientEvents, ClientToServerEvents> {
  return ioClient(forwarder.url, { path: routes.socketIo, transports: ['websocket'], reconnection: false });
}

const sessionKeys = () => a.redis.keys(`${a.config.REPLAY_STREAM_KEY}:sio:*`);

describe('several notifications processes', () => {
  it('recovers a Socket.IO client on the other instance with exactly the notifications it missed, in order', async () => {
    forwarder.switchTo(portOf(a));
    const socket = clientThroughForwarder();
    const received: string[] = [];
    const connected: ConnectedEvent[] = [];
    socket.on('student.created', (envelope) => received.push(envelope.messageId));
    socket.on('connected', (event) => connected.push(event));
    await a.waitFor(() => connected.length === 1, 5_000, 'connected to A');
    const [first] = await publishAndSettle(1);
    await a.waitFor(() => received.length === 1, 5_000, 'first event');

    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    forwarder.cut();
    await disconnected;
    // A keeps the session in Redis once it has seen the transport close.
    await a.waitFor(async () => (await sessionKeys()).length === 1, 5_000, 'session persisted');
    const missed = await publishAndSettle(5);
    forwarder.switchTo(portOf(b));
    socket.connect();
    await a.waitFor(() => connected.length === 2, 5_000, 'connected to B');
    await a.waitFor(() => received.length >= 6, 5_000, 'missed events');
    const [live] = await publishAndSettle(1);
    await a.waitFor(() => received.length >= 7, 5_000, 'live event on B');

    expect(socket.recovered).toBe(true);
    expect(b.service.testing.socket.size()).toBe(1);
    expect(a.service.testing.socket.size()).toBe(0);
    expect(connected[1]).toEqual({ clientId: connected[0]?.clientId, recovered: true });
    expect(received).toEqual([first, ...missed, live].map((e) => e?.messageId));
    socket.disconnect();
  });

  it('replays to a recovered client only the students it subscribed to', async () => {
    forwarder.switchTo(portOf(a));
    const studentId = randomUUID();
    const socket = clientThroughForwarder();
    const received: string[] = [];
    socket.on('student.created', (envelope) => received.push(envelope.messageId));
    await new Promise((resolve) => socket.once('connected', resolve));
    expect(await socket.emitWithAck('subscribe', [studentId])).toMatchObject({ ok: true });
    const [first] = await publishAndSettle(1, { studentId });
    await a.waitFor(() => received.length === 1, 5_000, 'first event');

    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    forwarder.cut();
    await disconnected;
    await a.waitFor(async () => (await sessionKeys()).length === 1, 5_000, 'session persisted');
    const [, mine] = [await publishAndSettle(2), await publishAndSettle(1, { studentId })];
    forwarder.switchTo(portOf(b));
    socket.connect();
    await a.waitFor(() => received.length >= 2, 5_000, 'missed event');
    const [live] = await publishAndSettle(1, { studentId });
    await a.waitFor(() => received.length >= 3, 5_000, 'live event');

    expect(socket.recovered).toBe(true);
    expect(received).toEqual([first, ...mine, live].map((e) => e?.messageId));
    socket.disconnect();
  });

  it('gives a fresh session when the session is unknown on every instance', async () => {
    forwarder.switchTo(portOf(a));
    const socket = clientThroughForwarder();
    await new Promise((resolve) => socket.once('connected', resolve));
    await publishAndSettle(1);
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    forwarder.cut();
    await disconnected;
    await a.waitFor(async () => (await sessionKeys()).length === 1, 5_000, 'session persisted');
    // The recovery window has passed (the key expired) while the client was away.
    await a.redis.del(...(await sessionKeys()));
    forwarder.switchTo(portOf(b));
    const reconnected = new Promise<ConnectedEvent>((resolve) => socket.once('connected', resolve));
    socket.connect();
    expect((await reconnected).recovered).toBe(false);
    expect(socket.recovered).toBe(false);
    socket.disconnect();
  });

  it('replays exactly the missed notifications to an SSE client reconnecting to the other instance', async () => {
    const first = openSse(`${a.baseUrl}/api/notifications/stream`);
    await first.connected;
    const [seen] = await publishAndSettle(1);
    await a.waitFor(() => first.notifications().length === 1, 5_000, 'first event');
    first.close();

    const missed = await publishAndSettle(3);
    const again = openSse(`${b.baseUrl}/api/notifications/stream`, {
      'Last-Event-ID': seen?.messageId ?? '',
    });
    await again.connected;
    await a.waitFor(() => again.notifications().length >= 3, 5_000, 'replay');
    const [live] = await publishAndSettle(1);
    await a.waitFor(() => again.notifications().length >= 4, 5_000, 'live after replay');

    expect(again.events.map((e) => e.id)).toEqual([...missed, live].map((e) => e?.messageId));
    again.close();
  });
});
