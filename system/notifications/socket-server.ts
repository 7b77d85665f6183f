import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Logger } from '../shared/logger.ts';
import type { Delivery, NotificationSink } from './broadcaster.ts';
import {
  allRoom,
  studentIdOf,
  studentRoom,
  type ClientToServerEvents,
  type InterServerEvents,
  type Notification,
  type ServerToClientEvents,
  type SocketData,
  type SubscribeAck,
} from './events.ts';
import type { DropReason, NotificationsMetrics } from './notifications-metrics.ts';
import { createDirectFrameAdapter, type EngineConnection } from './socket-direct-adapter.ts';
import type { SocketRecovery } from './socket-recovery.ts';
import { routes } from '../../contracts/http.ts';
import { createOriginPolicy, type OriginPolicy } from '../shared/origin-policy.ts';

export interface SocketServerOptions {
  metrics: NotificationsMetrics;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Connection-state recovery window, in milliseconds. */
  maxDisconnectionMs: number;
  /** Where sessions and missed notifications are found, whichever process the client comes back to. */
  recovery: SocketRecovery;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Packets queued for one client (engine.io write buffer) before it is dropped. */
  maxQueuedPackets: number;
  /** Unsent bytes on one client's TCP socket before it is dropped. */
  maxBufferedBytes: number;
  /** Broadcast frames straight to each WebSocket (default) or through engine.io's stock path. */
  directFrames: boolean;
  /** A client whose transport stays unwritable this long is dropped, in milliseconds. */
  drainTimeoutMs: number;
  /** How often slow clients are looked for, in milliseconds. */
  slowCheckMs: number;
  /** Student rooms one client may be in at once (default 100). */
  maxRoomsPerClient?: number;
  /** Which browser origins may open a session (default: no Origin or the same origin only). */
  origins?: OriginPolicy;
}

export interface SocketServer {
  io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
  sink: NotificationSink;
  size(): number;
  close(): Promise<void>;
}

type NotificationSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Student ids are UUIDs; rooms are named by the lower-case form notifications carry. */
function validIds(ids: unknown, max: number): string[] | undefined {
  if (!Array.isArray(ids) || ids.length > max) return undefined;
  return ids.every((id) => typeof id === 'string' && uuidPattern.test(id))
    ? (ids as string[]).map((id) => id.toLowerCase())
    : undefined;
}

/**
 * Subscribing narrows a client to its rooms; leaving the last room widens it back to everything.
 * Rooms cost memory in the adapter per client: a client holds at most `maxRooms` student rooms
 * in total, however many `subscribe` calls it makes.
 */
function registerRooms(socket: NotificationSocket, maxRooms: number): void {
  const studentRooms = () => [...socket.rooms].filter((room) => room.startsWith('student:'));
  const answer = (ack: unknown, result: SubscribeAck) => {
    if (typeof ack === 'function') (ack as (result: SubscribeAck) => void)(result);
  };
  const invalid = `expected an array of up to ${maxRooms} student ids (UUIDs)`;
  socket.on('subscribe', async (ids, ack) => {
    const valid = validIds(ids, maxRooms);
    if (!valid) return answer(ack, { ok: false, error: invalid });
    const joined = new Set([...studentRooms(), ...valid.map(studentRoom)]);
    if (joined.size > maxRooms) {
      return answer(ack, { ok: false, error: `at most ${maxRooms} student rooms per client` });
    }
    await socket.join(valid.map(studentRoom));
    await socket.leave(allRoom);
    answer(ack, { ok: true, rooms: studentRooms() });
  });
  socket.on('unsubscribe', async (ids, ack) => {
    const valid = validIds(ids, maxRooms);
    if (!valid) return answer(ack, { ok: false, error: invalid });
    for (const id of valid) await socket.leave(studentRoom(id));
    if (studentRooms().length === 0) await socket.join(allRoom);
    answer(ack, { ok: true, rooms: studentRooms() });
  });
}

/**
 * Socket.IO fan-out at `/hubs/notifications`. One room-targeted `emit` per
 * notification: socket.io encodes the packet (and even the WebSocket frame) once for all clients.
 * Idle connections are kept lean: no per-message deflate, no HTTP compression, small buffers.
 */
/**
 * Socket.IO keeps each session's first HTTP request alive for its whole life, twice: as the
 * session's `request`, and through the stand-in response engine.io builds for its upgrade
 * middlewares, whose `close` forwarder stays on the TCP socket. We never read the request after the
 * handshake (which tolerates its absence) and run no upgrade middlewares, so both are let go:
 * about 1.5 KB per connection (`npm run bench:memory -- --sse 0 --socketio 5000`).
 */
function releaseUpgradeRequest(session: {
  request: unknown;
  transport?: { socket?: { _socket?: NodeJS.EventEmitter } };
}): void {
  session.request = null;
  const tcp = session.transport?.socket?._socket;
  if (!tcp) return;
  for (const wrapper of tcp.rawListeners('close') as { listener?: () => void }[]) {
    const forwarder = wrapper.listener;
    if (forwarder?.toString() === upgradeResponseCloseForwarder) tcp.removeListener('close', forwarder);
  }
}
/** engine.io's `WebSocketResponse` forwards the socket's close with exactly this function. */
const upgradeResponseCloseForwarder = '() => this.emit("close")';

export function createSocketServer(httpServer: HttpServer, options: SocketServerOptions): SocketServer {
  const { metrics, logger } = options;
  // Frame bytes of the broadcast being emitted (the adapter reports them synchronously).
  let broadcastBytes = 0;
  // Offset of the notification being emitted; the adapter takes it synchronously, once.
  let pendingOffset: string | undefined;
  const origins = options.origins ?? createOriginPolicy([]);
  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(
    httpServer,
    {
      path: routes.socketIo,
      serveClient: true,
      perMessageDeflate: false,
      httpCompression: false,
      maxHttpBufferSize: 16 * 1024,
      pingInterval: options.pingIntervalMs,
      pingTimeout: options.pingTimeoutMs,
      // CORS alone does not stop a WebSocket: allowRequest refuses other origins' handshakes.
      cors: { origin: origins.socketIoCors() },
      allowRequest: (req, callback) => callback(null, origins.allows(req.headers.origin, req.headers.host)),
      connectionStateRecovery: {
        maxDisconnectionDuration: options.maxDisconnectionMs,
        skipMiddlewares: true,
      },
      adapter: createDirectFrameAdapter({
        sendDirect: options.directFrames,
        onFrame: (bytes) => void (broadcastBytes += bytes),
        recovery: options.recovery,
        takeOffset: () => {
          const offset = pendingOffset;
          pendingOffset = undefined;
          return offset;
        },
      }),
    },
  );
  io.engine.on('headers', (headers: Record<string, string>) => {
    headers['X-Content-Type-Options'] = 'nosniff';
  });
  io.engine.on('connection', releaseUpgradeRequest);
  const gauge = () => metrics.connected.set({ transport: 'socketio' }, io.engine.clientsCount);
  const stalledSince = new Map<string, number>();
  gauge();

  io.on('connection', (socket) => {
    if (!socket.recovered) {
      socket.data.clientId = randomUUID();
      void socket.join(allRoom);
    } else {
      metrics.replayed.inc({ transport: 'socketio' });
    }
    registerRooms(socket, options.maxRoomsPerClient ?? 100);
    socket.emit('connected', { clientId: socket.data.clientId, recovered: socket.recovered });
    gauge();
    socket.on('disconnect', () => {
      stalledSince.delete(socket.id);
      gauge();
    });
  });

  function drop(socket: NotificationSocket, reason: DropReason): void {
    metrics.dropped.inc({ transport: 'socketio', reason });
    logger.warn({ clientId: socket.data.clientId, reason }, 'dropped slow Socket.IO client');
    const conn = socket.conn as unknown as EngineConnection;
    // Discard what is queued (a polite close would wait for a drain that never comes), and cut the
    // WebSocket at once rather than after ws's 30 s closing handshake timeout.
    conn.close(true);
    conn.transport?.socket?.terminate?.();
  }

  function checkSlowClients(): void {
    const now = Date.now();
    for (const socket of io.of('/').sockets.values()) {
      const conn = socket.conn as unknown as EngineConnection;
      // Direct frames queue in the TCP socket, engine.io's packets in its write buffer: watch both.
      const tcp = conn.transport?.socket?._socket;
      if ((conn.writeBuffer?.length ?? 0) > options.maxQueuedPackets) {
        drop(socket, 'buffer');
      } else if ((tcp?.writableLength ?? 0) > options.maxBufferedBytes) {
        drop(socket, 'buffer');
      } else if (conn.transport?.writable === false || tcp?.writableNeedDrain) {
        const since = stalledSince.get(socket.id) ?? now;
        stalledSince.set(socket.id, since);
        if (now - since >= options.drainTimeoutMs) drop(socket, 'stalled');
      } else {
        stalledSince.delete(socket.id);
      }
    }
  }
  const slowTimer = setInterval(checkSlowClients, options.slowCheckMs);
  slowTimer.unref();

  function broadcast(notification: Notification): Delivery {
    const { envelope } = notification;
    const room = studentRoom(studentIdOf(envelope));
    const rooms = io.of('/').adapter.rooms;
    const audience = (rooms.get(allRoom)?.size ?? 0) + (rooms.get(room)?.size ?? 0);
    broadcastBytes = 0;
    // Emitted even to nobody: the adapter advances this process's recovery watermark with it.
    pendingOffset = options.recovery.offsetOf(notification.streamId);
    io.to(allRoom).to(room).emit(envelope.type, envelope);
    pendingOffset = undefined;
    return { clients: audience, bytes: broadcastBytes };
  }

  /**
   * Several notifications with every client's TCP socket corked across them: each socket's frames
   * (direct or through engine.io) leave in one writev when it is uncorked.
   */
  function broadcastBatch(notifications: readonly Notification[]): Delivery[] {
    const corked: { cork(): void; uncork(): void }[] = [];
    for (const socket of io.of('/').sockets.values()) {
      const tcp = (socket.conn as unknown as EngineConnection).transport?.socket?._socket;
      if (!tcp) continue;
      tcp.cork();
      corked.push(tcp);
    }
    try {
      return notifications.map(broadcast);
    } finally {
      for (const tcp of corked) tcp.uncork();
    }
  }

  return {
    io,
    // Live clients get the gap at once; recovering ones find the broadcaster's gap marker in the stream.
    sink: {
      transport: 'socketio',
      broadcast,
      broadcastBatch,
      signalGap: (reason) => void io.emit('gap', { reason }),
    },
    size: () => io.engine.clientsCount,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(slowTimer);
        void io.close(() => resolve());
      }),
  };
}
