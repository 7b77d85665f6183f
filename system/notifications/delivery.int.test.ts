import { randomUUID } from 'node:crypto';
import type { Channel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../contracts/envelope.ts';
import type { ConnectedEvent } from './events.ts';
import { startHarness, type NotificationsHarness } from './testing/notifications-harness.ts';
import { openSse } from './testing/sse-test-client.ts';
import { topology } from '../../contracts/topology.ts';

let h: NotificationsHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const counter = async (name: string, labels: string) => {
  const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('notifications fan-out over SSE and Socket.IO', () => {
  it('delivers one notification to both transports with the same envelope and correlation id', async () => {
    const sse = openSse(`${h.baseUrl}/api/notifications/stream`);
    const socket = h.socketClient();
    const fromSocket: Envelope[] = [];
    socket.on('student.created', (envelope) => fromSocket.push(envelope));
    const connected = new Promise<ConnectedEvent>((resolve) => socket.once('connected', resolve));
    expect((await sse.connected).clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await connected).clientId).toMatch(/^[0-9a-f-]{36}$/);

    const published = h.publish({ correlationId: 'corr-delivery-1' });
    await h.waitFor(() => sse.notifications().length === 1 && fromSocket.length === 1, 10_000, 'delivery');

    const [event] = sse.notifications();
    expect(event?.id).toBe(published.messageId);
    expect(event?.type).toBe('student.created');
    expect(JSON.parse(event?.data ?? '')).toEqual(published);
    expect(fromSocket[0]).toEqual(published);
    expect(fromSocket[0]?.correlationId).toBe('corr-delivery-1');
    expect(await counter('notifications_deliveries_total', 'transport="sse"')).toBeGreaterThanOrEqual(1);
    expect(await counter('notifications_deliveries_total', 'transport="socketio"')).toBeGreaterThanOrEqual(1);
    expect(await counter('notifications_consumed_total', 'result="ok"')).toBeGreaterThanOrEqual(1);
    sse.close();
    socket.disconnect();
  });

  it('delivers a notification published twice (same messageId, as after a lost confirm) only once', async () => {
    const sse = openSse(`${h.baseUrl}/api/notifications/stream`);
    await sse.connected;
    const duplicatesBefore = await counter('notifications_consumed_total', 'result="duplicate"');
    const first = h.publish({ correlationId: 'corr-twice' });
    h.publish({ ...first });
    const after = h.publish({ correlationId: 'corr-after-twice' });
    await h.waitFor(() => sse.notifications().some((e) => e.id === after.messageId), 10_000, 'the later one');
    expect(sse.notifications().map((e) => e.id)).toEqual([first.messageId, after.messageId]);
    expect(await counter('notifications_consumed_total', 'result="duplicate"')).toBe(duplicatesBefore + 1);
    sse.close();
  });

  it('serves the seed path as an alias and filters by ?types=', async () => {
    const sse = openSse(`${h.baseUrl}/api/notifications/students/stream?types=student.deleted`);
    await sse.connected;
    h.publish({ type: 'student.created' });
    const deleted = h.publish({ type: 'student.deleted', payload: { id: 'gone-1' } });
    await h.waitFor(() => sse.notifications().length >= 1, 10_000, 'deleted event');
    // The created one was published first: had the filter let it through, it would be first.
    expect(sse.notifications().map((e) => e.id)).toEqual([deleted.messageId]);
    sse.close();
  });

  it('narrows a Socket.IO client to its student rooms after subscribe, acknowledged', async () => {
    const socket = h.socketClient();
    await new Promise((resolve) => socket.once('connected', resolve));
    const [a, b] = [randomUUID(), randomUUID()];
    const ack = await socket.emitWithAck('subscribe', [a]);
    expect(ack).toEqual({ ok: true, rooms: [`student:${a}`] });
    const seen: string[] = [];
    socket.on('student.updated', (envelope) => seen.push(envelope.payload.id));
    h.publish({ type: 'student.updated', studentId: b });
    const mine = h.publish({ type: 'student.updated', studentId: a });
    await h.waitFor(() => seen.length >= 1, 10_000, 'room event');
    expect(seen).toEqual([mine.payload.id]);
    expect(await socket.emitWithAck('unsubscribe', [a])).toEqual({ ok: true, rooms: [] });
    expect(await socket.emitWithAck('subscribe', 'nope' as unknown as string[])).toMatchObject({ ok: false });
    socket.disconnect();
  });

  it('dead-letters a malformed message instead of requeueing it', async () => {
    // Our own queue on the shared dead-letter exchange, so nobody else's DLQ consumer is disturbed.
    const channel: Channel = h.admin.channel;
    const spy = h.admin.queueName('notifications-dlq-spy');
    await channel.assertQueue(spy, { exclusive: true, autoDelete: true });
    await channel.bindQueue(spy, topology.notificationsDeadLetterExchange, '');
    const before = await counter('notifications_consumed_total', 'result="dead_lettered"');
    const marker = `not json ${Date.now()}`;
    h.publishRaw(marker);
    await h.waitFor(async () => (await h.admin.messageCount(spy)) > 0, 10_000, 'dead letter');
    const message = await channel.get(spy, { noAck: true });
    expect(message && message.content.toString()).toBe(marker);
    expect(await counter('notifications_consumed_total', 'result="dead_lettered"')).toBe(before + 1);
    // Requeued, it would come back within milliseconds and be counted (and dead-lettered) again.
    await new Promise((r) => setTimeout(r, 300));
    expect(await counter('notifications_consumed_total', 'result="dead_lettered"')).toBe(before + 1);
    expect(await h.admin.messageCount(spy)).toBe(0);
  });

  it('reports health and readiness with the broker connected', async () => {
    const health = (await (await fetch(`${h.baseUrl}/health`)).json()) as { status: string };
    expect(health.status).toBe('healthy');
    expect((await fetch(`${h.baseUrl}/health/ready`)).status).toBe(200);
    expect((await fetch(`${h.baseUrl}/health/live`)).status).toBe(200);
  });
});
