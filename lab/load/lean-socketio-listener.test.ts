import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { Server as SocketIoServer, type Socket } from 'socket.io';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { nowUs } from '../metrics/clock.ts';
import { engineIoUrl, openLeanSocketIoListener } from './lean-socketio-listener.ts';
import type { ListenerConnection } from './listener-connections.ts';
import { createSocketIoEventCache } from './socketio-event-reader.ts';
import { recordListener } from './testing/listener-recorder.ts';

const path = '/hubs/notifications';
const fastReconnect = { minMs: 10, maxMs: 40 };

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(http: HttpServer): Promise<string> {
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

/** A real Socket.IO server as the notifications service configures it: recovery on, quick pings. */
async function startServer(): Promise<{ io: SocketIoServer; baseUrl: string; sockets: Socket[] }> {
  const http = createServer();
  const io = new SocketIoServer(http, {
    path,
    pingInterval: 50,
    pingTimeout: 200,
    connectionStateRecovery: { maxDisconnectionDuration: 10_000, skipMiddlewares: true },
  });
  const sockets: Socket[] = [];
  io.on('connection', (socket) => {
    sockets.push(socket);
    socket.emit('connected', { clientId: socket.id, recovered: socket.recovered });
  });
  cleanups.push(() => io.close());
  return { io, baseUrl: await listen(http), sockets };
}

function open(baseUrl: string, events: ReturnType<typeof recordListener>['events']): ListenerConnection {
  const connection = openLeanSocketIoListener({
    baseUrl,
    path,
    events,
    readEvent: createSocketIoEventCache(),
    reconnect: fastReconnect,
  });
  cleanups.push(() => connection.close());
  return connection;
}

const envelope = (correlationId: string) => ({ type: 'student.created', correlationId, payload: {} });

describe('lean Socket.IO listener', () => {
  it('addresses the WebSocket transport under the Socket.IO path', () => {
    expect(engineIoUrl('http://127.0.0.1:5001', '/hubs/notifications').href).toBe(
      'ws://127.0.0.1:5001/hubs/notifications/?EIO=4&transport=websocket',
    );
  });

  it('reports a broadcast notification with its correlation id and the time it arrived', async () => {
    const { io, baseUrl } = await startServer();
    const r = recordListener();
    const startedUs = nowUs();
    open(baseUrl, r.events);
    await r.until((s) => s.opened.length === 1, 'connected');
    io.emit('student.created', envelope('run-1'));
    await r.until((s) => s.notifications.length === 1, 'one notification');
    expect(r.seen.opened).toEqual([{ recovered: false }]);
    expect(r.seen.notifications[0]).toMatchObject({ type: 'student.created', correlationId: 'run-1' });
    expect(r.seen.notifications[0]!.receivedAtUs).toBeGreaterThanOrEqual(startedUs);
    expect(r.seen.notifications[0]!.receivedAtUs).toBeLessThanOrEqual(nowUs());
  });

  it('answers the server pings, so the connection outlives several ping timeouts', async () => {
    const { baseUrl, sockets } = await startServer();
    const r = recordListener();
    open(baseUrl, r.events);
    await r.until((s) => s.opened.length === 1, 'connected');
    let pongs = 0;
    const enough = new Promise<void>((resolve, reject) => {
      setTimeout(() => reject(new Error(`${pongs} pongs within 2 s`)), 2000).unref();
      sockets[0]!.conn.on('packet', (packet: { type: string }) => {
        if (packet.type === 'pong' && ++pongs === 6) resolve();
      });
    });
    await enough; // 6 × 50 ms pings: longer than the 200 ms the server waits for a pong
    expect(r.seen).toMatchObject({ lost: 0, failed: 0 });
    expect(sockets).toHaveLength(1);
  });

  it('recovers its session after the transport is cut: missed events once, none twice', async () => {
    const { io, baseUrl, sockets } = await startServer();
    const r = recordListener();
    open(baseUrl, r.events);
    await r.until((s) => s.opened.length === 1, 'connected');
    io.emit('student.created', envelope('run-1'));
    await r.until((s) => s.notifications.length === 1, 'the first notification');
    sockets[0]!.conn.close();
    // Emitted while the listener is away: only the recovery buffer has them.
    io.emit('student.created', envelope('run-2'));
    io.emit('student.updated', envelope('run-3'));
    await r.until((s) => s.opened.length === 2 && s.notifications.length === 3, 'recovered');
    io.emit('student.deleted', envelope('run-4'));
    await r.until((s) => s.notifications.length === 4, 'the notification after recovery');
    expect(r.seen.opened).toEqual([{ recovered: false }, { recovered: true }]);
    expect(r.seen.lost).toBe(1);
    expect(r.seen.notifications.map((n) => [n.type, n.correlationId])).toEqual([
      ['student.created', 'run-1'],
      ['student.created', 'run-2'],
      ['student.updated', 'run-3'],
      ['student.deleted', 'run-4'],
    ]);
    expect(sockets[1]!.recovered).toBe(true);
  });

  it('treats a server that stops pinging as gone and connects again', async () => {
    // A bare Engine.IO endpoint: opens sessions with a 30 + 30 ms heartbeat and never pings.
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    let connections = 0;
    wss.on('connection', (ws) => {
      connections += 1;
      ws.send('0{"sid":"e","upgrades":[],"pingInterval":30,"pingTimeout":30,"maxPayload":1000}');
      ws.on('message', (data: Buffer) => {
        if (data.toString() === '40') ws.send(`40{"sid":"s${connections}"}`);
      });
    });
    cleanups.push(() => new Promise((resolve) => http.close(resolve)));
    cleanups.push(() => wss.clients.forEach((ws) => ws.terminate()));
    const r = recordListener();
    open(await listen(http), r.events);
    await r.until((s) => s.opened.length === 2, 'reconnected after the silent server');
    expect(r.seen.lost).toBeGreaterThanOrEqual(1);
    expect(r.seen.opened[1]).toEqual({ recovered: false });
  });
});
