import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../contracts/http.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../system/notifications/events.ts';
import {
  portOf,
  startSiblingHarnesses,
  type NotificationsHarness,
} from '../../system/notifications/testing/notifications-harness.ts';
import { findFreePort } from './free-port.ts';
import { startHaproxyProcess, type HaproxyProcess } from './haproxy-process.ts';

let a: NotificationsHarness;
let b: NotificationsHarness;
let haproxy: HaproxyProcess;
const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];

beforeAll(async () => {
  [a, b] = await startSiblingHarnesses();
  haproxy = startHaproxyProcess({
    listen: { host: '127.0.0.1', port: await findFreePort() },
    servers: [a, b].map((h) => ({ host: '127.0.0.1', port: portOf(h) })),
    // Relative, as the lab passes it (reports/<scenario>/logs): HAProxy runs in that directory.
    logDir: path.relative(process.cwd(), mkdtempSync(path.join(tmpdir(), 'haproxy-test-'))),
    // Two balancer processes on one port, as the lab runs them.
    instances: 2,
  });
  await haproxy.waitReady(15_000);
});
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await haproxy?.stop();
  await b?.close();
  await a?.close();
});

describe('HAProxy in front of two notifications processes', () => {
  it('answers /health/ready through the balancer', async () => {
    const response = await fetch(`${haproxy.url}/health/ready`);
    expect(response.status).toBe(200);
  });

  it('spreads Socket.IO clients over both processes, and each receives a notification', async () => {
    const received: string[] = [];
    for (let i = 0; i < 4; i++) {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(haproxy.url, {
        path: routes.socketIo,
        transports: ['websocket'],
        reconnection: false,
      });
      sockets.push(socket);
      socket.on('student.created', (envelope) => received.push(envelope.messageId));
      // One at a time: least-connections then alternates between the two.
      await new Promise((resolve) => socket.once('connected', resolve));
    }
    // Each balancer process picks the least busy server among those it knows of: both serve.
    expect(a.service.testing.socket.size() + b.service.testing.socket.size()).toBe(4);
    expect(a.service.testing.socket.size()).toBeGreaterThan(0);
    expect(b.service.testing.socket.size()).toBeGreaterThan(0);

    const envelope = a.publish();
    await a.waitFor(() => received.length === 4, 10_000, 'four deliveries');
    expect(received).toEqual(Array(4).fill(envelope.messageId));
  });
});
