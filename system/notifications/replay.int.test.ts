import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../contracts/envelope.ts';
import type { ConnectedEvent } from './events.ts';
import { startHarness, type NotificationsHarness } from './testing/notifications-harness.ts';
import { openSse } from './testing/sse-test-client.ts';

let h: NotificationsHarness;

beforeAll(async () => {
  h = await startHarness({ REPLAY_MAX_LEN: '10' });
});
afterAll(() => h.close());

/** Resolves once the service has consumed (and broadcast) `n` more notifications than `before`. */
const consumed = async () => {
  const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('notifications_consumed_total{') && l.includes('result="ok"'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
};

async function publishAndSettle(count: number): Promise<Envelope[]> {
  const before = await consumed();
  const published = Array.from({ length: count }, () => h.publish());
  await h.waitFor(async () => (await consumed()) >= before + count, 10_000, `${count} consumed`);
  return published;
}

describe('replay after reconnect', () => {
  it('replays exactly the 5 missed notifications, in order, on SSE reconnect with Last-Event-ID', async () => {
    const first = openSse(`${h.baseUrl}/api/notifications/stream`);
    await first.connected;
    const [seen] = await publishAndSettle(1);
    await h.waitFor(() => first.notifications().length === 1, 5_000, 'first event');
    first.close();

    const missed = await publishAndSettle(5);
    const again = openSse(`${h.baseUrl}/api/notifications/stream`, {
      'Last-Event-ID': seen?.messageId ?? '',
    });
    await again.connected;
    await h.waitFor(() => again.notifications().length >= 5, 5_000, 'replay');
    // A live one after the replay proves nothing extra (or duplicated) was queued behind it.
    const [live] = await publishAndSettle(1);
    await h.waitFor(() => again.notifications().length >= 6, 5_000, 'live after replay');

    expect(again.events.map((e) => e.id)).toEqual([...missed, live].map((e) => e?.messageId));
    expect(JSON.parse(again.events[0]?.data ?? '')).toEqual(missed[0]);
    again.close();
  });

  it('accepts the last id as ?lastEventId= for clients that cannot set headers', async () => {
    const [seen] = await publishAndSettle(1);
    const missed = await publishAndSettle(2);
    const client = openSse(`${h.baseUrl}/api/notifications/stream?lastEventId=${seen?.messageId ?? ''}`);
    await h.waitFor(() => client.notifications().length >= 2, 5_000, 'replay');
    expect(client.events.map((e) => e.id)).toEqual(missed.map((e) => e.messageId));
    client.close();
  });

  it('says so with a gap event when the last id is older than the buffer', async () => {
    const [oldest] = await publishAndSettle(1);
    // MAXLEN ~ trims whole stream nodes (100 entries each): go well past a couple of them.
    const later = await publishAndSettle(250);
    const client = openSse(`${h.baseUrl}/api/notifications/stream`, {
      'Last-Event-ID': oldest?.messageId ?? '',
    });
    await client.connected;
    await h.waitFor(() => client.events.length >= 2, 5_000, 'gap and replay');
    await new Promise((r) => setTimeout(r, 200));

    expect(client.events[0]?.type).toBe('gap');
    expect(JSON.parse(client.events[0]?.data ?? '')).toEqual({
      lastEventId: oldest?.messageId,
      reason: 'trimmed',
    });
    const replayed = client.notifications().map((e) => e.id);
    expect(replayed.length).toBeLessThan(later.length);
    // What is still buffered comes in order: the newest notifications, ending with the last one.
    expect(replayed).toEqual(later.slice(later.length - replayed.length).map((e) => e.messageId));
    client.close();
  });

  it('sends a gap event for an id it never buffered', async () => {
    const client = openSse(`${h.baseUrl}/api/notifications/stream`, { 'Last-Event-ID': 'never-seen' });
    await h.waitFor(() => client.events.length >= 1, 5_000, 'gap');
    expect(JSON.parse(client.events[0]?.data ?? '')).toEqual({
      lastEventId: 'never-seen',
      reason: 'unknown-id',
    });
    client.close();
  });

  it('recovers a briefly disconnected Socket.IO client with exactly the 5 it missed, in order', async () => {
    const socket = h.socketClient();
    const received: string[] = [];
    socket.on('student.created', (envelope) => received.push(envelope.messageId));
    const connected: ConnectedEvent[] = [];
    socket.on('connected', (event) => connected.push(event));
    await h.waitFor(() => connected.length === 1, 5_000, 'connected');
    await publishAndSettle(1);
    await h.waitFor(() => received.length === 1, 5_000, 'first event');

    // Drop the transport (not a polite disconnect): the server keeps the session for recovery.
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    socket.io.engine.close();
    await disconnected;
    const missed = await publishAndSettle(5);
    socket.connect();
    await h.waitFor(() => received.length >= 6, 5_000, 'recovered events');
    await publishAndSettle(1);
    await h.waitFor(() => received.length >= 7, 5_000, 'live event');

    expect(socket.recovered).toBe(true);
    expect(connected[1]).toEqual({ clientId: connected[0]?.clientId, recovered: true });
    expect(received.slice(1, 6)).toEqual(missed.map((e) => e.messageId));
    expect(received).toHaveLength(7);
    socket.disconnect();
  });
});
