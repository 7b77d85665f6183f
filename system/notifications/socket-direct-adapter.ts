import { Adapter, type BroadcastOptions, type Session } from 'socket.io-adapter';
import type { PersistedSession, SocketRecovery } from './socket-recovery.ts';

/** engine.io / ws internals read structurally (private in their typings). */
export interface EngineConnection {
  readyState?: string;
  writeBuffer?: unknown[];
  transport?: {
    name?: string;
    writable?: boolean;
    socket?: {
      terminate?: () => void;
      _sender?: { sendFrame(frame: Buffer[]): void };
      _socket?: { writableLength: number; writableNeedDrain: boolean; cork(): void; uncork(): void };
    };
  };
  close(discard?: boolean): void;
}

interface AdapterSocket {
  id: string;
  conn: unknown;
  client: { writeToEngine(packets: unknown, options: { wsPreEncodedFrame?: Buffer[] }): void };
}

/** The two adapter methods we wrap; both are private in socket.io-adapter's typings. */
interface AdapterInternals {
  broadcast(packet: unknown, opts: BroadcastOptions): void;
  apply(opts: BroadcastOptions, callback: (socket: AdapterSocket) => void): void;
  broadcasting?: boolean;
}

/** Runs the broadcast's own per-socket callback once on a stub, to read the frame it would send. */
function captureFrame(callback: (socket: AdapterSocket) => void): Buffer[] | undefined {
  let frame: Buffer[] | undefined;
  callback({
    id: '',
    conn: undefined,
    client: { writeToEngine: (_packets, options) => (frame = options.wsPreEncodedFrame) },
  });
  return frame;
}

/**
 * Writes the frame on the socket's WebSocket directly, as engine.io itself does for pre-encoded
 * frames, minus its per-packet bookkeeping (packet object, four events, the writable toggle and a
 * completion callback per socket). Only when nothing is queued in engine.io, so order is kept.
 */
function sendFrameDirect(socket: AdapterSocket, frame: Buffer[]): boolean {
  const conn = socket.conn as EngineConnection;
  const transport = conn.transport;
  const sender = transport?.socket?._sender;
  if (conn.readyState !== 'open' || (conn.writeBuffer?.length ?? 0) > 0 || !sender) return false;
  if (transport?.name !== 'websocket' || !transport.writable) return false;
  sender.sendFrame(frame);
  return true;
}

export interface FrameAdapterOptions {
  /** Hand the frame straight to each WebSocket (default), or through engine.io's stock path. */
  sendDirect?: boolean;
  /** Called once per socket a broadcast frame goes to, with the frame's size in bytes. */
  onFrame?: (bytes: number) => void;
  /** Sessions and missed packets shared by every process (see socket-recovery.ts). */
  recovery: SocketRecovery;
  /** The offset of the notification being broadcast, taken once (undefined for other broadcasts). */
  takeOffset: () => string | undefined;
}

interface EventPacket {
  type: number;
  id?: number;
  data: unknown[];
}

const eventPacketType = 2;

/**
 * Socket.IO's adapter with connection-state recovery shared through Redis (see socket-recovery.ts),
 * whose broadcasts hand the once-encoded WebSocket frame straight to each socket. Measured by the
 * bench: the stock path costs several times SSE's per-client write.
 *
 * Offsets keep Socket.IO's wire format: the last argument of an event packet, a string the stock
 * client echoes back on reconnect. A notification carries its replay stream id; a packet to one
 * socket (`connected`) carries what that socket has seen so far; other broadcasts (a live `gap`)
 * carry none, so the client's offset stays where it was.
 */
export function createDirectFrameAdapter(options: FrameAdapterOptions): typeof Adapter {
  const { sendDirect = true, onFrame, recovery, takeOffset } = options;
  const base = Adapter.prototype as unknown as AdapterInternals;
  class DirectFrameAdapter extends Adapter {
    override persistSession(session: PersistedSession): void {
      recovery.persist(session);
    }
    override restoreSession(pid: string, offset: string): Promise<Session> {
      // Typed non-null upstream, but Socket.IO treats null as "not recovered".
      return recovery.restore(pid, offset) as Promise<Session>;
    }
    override delAll(id: string): void {
      recovery.forget(id);
      super.delAll(id);
    }
  }
  const proto = DirectFrameAdapter.prototype as unknown as AdapterInternals & { sids: Map<string, unknown> };
  // The notification being broadcast, for skipping sockets that already have it.
  let notificationOffset: string | undefined;

  function offsetFor(adapter: { sids: Map<string, unknown> }, packet: EventPacket, opts: BroadcastOptions) {
    const stored = packet.type === eventPacketType && packet.id === undefined && !opts.flags?.volatile;
    if (!stored) return undefined;
    const notification = takeOffset();
    if (notification !== undefined) return { offset: notification, notification: true };
    const [room] = opts.rooms;
    const toOneSocket = opts.rooms.size === 1 && room !== undefined && adapter.sids.has(room);
    const offset = toOneSocket ? recovery.offsetForSocket(room) : undefined;
    return offset === undefined ? undefined : { offset, notification: false };
  }

  proto.broadcast = function (this: AdapterInternals & { sids: Map<string, unknown> }, packet, opts) {
    const stamp = offsetFor(this, packet as EventPacket, opts);
    if (stamp) (packet as EventPacket).data.push(stamp.offset);
    notificationOffset = stamp?.notification ? stamp.offset : undefined;
    this.broadcasting = !opts.flags?.volatile;
    try {
      base.broadcast.call(this, packet, opts);
    } finally {
      this.broadcasting = false;
      notificationOffset = undefined;
    }
    if (stamp?.notification) recovery.broadcasted(stamp.offset, (packet as EventPacket).data);
  };
  proto.apply = function (this: AdapterInternals, opts, callback) {
    const offset = notificationOffset;
    const deliver = offset
      ? (socket: AdapterSocket) => {
          if (!recovery.alreadyHas(socket.id, offset)) callback(socket);
        }
      : callback;
    const parts = this.broadcasting ? captureFrame(callback) : undefined;
    // One buffer (header + payload) per broadcast: each socket then gets a single write, not a
    // corked two-buffer writev.
    const frame = parts ? [parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)] : undefined;
    this.broadcasting = false;
    if (!frame) return base.apply.call(this, opts, deliver);
    const bytes = (frame[0] as Buffer).length;
    base.apply.call(this, opts, (socket) => {
      if (offset && recovery.alreadyHas(socket.id, offset)) return;
      onFrame?.(bytes);
      if (!sendDirect || !sendFrameDirect(socket, frame)) callback(socket);
    });
  };
  return DirectFrameAdapter;
}
