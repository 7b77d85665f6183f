import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscribeAck } from './events.ts';
import { startHarness, type NotificationsHarness } from './testing/notifications-harness.ts';

let h: NotificationsHarness;
beforeAll(async () => {
  h = await startHarness({ SOCKETIO_MAX_ROOMS_PER_CLIENT: '100' });
});
afterAll(async () => {
  await h?.close();
});

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

describe('Socket.IO student rooms', () => {
  it('caps the rooms of one client across subscribe calls and answers the excess with an error ack', async () => {
    const socket = h.socketClient();
    await new Promise((resolve) => socket.once('connected', resolve));
    const acks: SubscribeAck[] = [];
    for (let i = 0; i < 20; i++) acks.push(await socket.emitWithAck('subscribe', ids(100)));
    expect(acks[0]).toMatchObject({ ok: true });
    expect(acks.slice(1).every((ack) => !ack.ok)).toBe(true);
    const [server] = [...h.service.testing.socket.io.of('/').sockets.values()];
    const studentRooms = [...(server?.rooms ?? [])].filter((room) => room.startsWith('student:'));
    expect(studentRooms).toHaveLength(100);
    socket.disconnect();
  });

  it('refuses ids that are not UUIDs', async () => {
    const socket = h.socketClient();
    await new Promise((resolve) => socket.once('connected', resolve));
    for (const bad of [['student-a'], ['x'.repeat(128)], [''], [42]])
      expect(await socket.emitWithAck('subscribe', bad as string[])).toMatchObject({ ok: false });
    socket.disconnect();
  });
});
