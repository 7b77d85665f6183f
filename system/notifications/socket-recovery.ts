import type { Session } from 'socket.io-adapter';
import { allRoom, studentIdOf, studentRoom, type Envelope } from './events.ts';
import { compareStreamIds, type ReplayEntry, type ReplayStore } from './redis-replay-store.ts';
import { gapReasonOf, isGapEntry } from './replay-gap.ts';

/** What Socket.IO hands the adapter when a client drops: enough to rebuild its socket elsewhere. */
export type PersistedSession = Omit<Session, 'missedPackets'>;

/** Where disconnected sessions wait for their client, shared by every process (a port; Redis adapter beside it). */
export interface SocketSessionStore {
  /** Keeps the session for the recovery window; a later save of the same pid replaces it. */
  save(session: PersistedSession): Promise<void>;
  /** Returns the session and forgets it (a session is recovered once), or undefined when unknown or expired. */
  take(pid: string): Promise<PersistedSession | undefined>;
  /** Id of the newest replay stream entry, or undefined when the stream is empty. */
  lastStreamId(): Promise<string | undefined>;
}

export interface SocketRecoveryOptions {
  sessions: SocketSessionStore;
  /** The shared replay stream. `readAfter` calls run in order on one connection (see restore). */
  replay: Pick<ReplayStore, 'readAfter'>;
  onError?: (error: unknown, what: 'persist' | 'restore' | 'start') => void;
  /** A restore that takes longer gives the client a fresh session instead, in milliseconds (default 2,000). */
  restoreTimeoutMs?: number;
  /** Replay stream entries read per XRANGE (default 500). */
  pageSize?: number;
}

/**
 * Connection-state recovery that works on any notifications process. Socket.IO's own recovery keeps
 * sessions and missed packets in one process's memory; here sessions live in Redis and missed
 * packets are read back from the shared replay stream, whose ids are the same on every process
 * (append-once per messageId). The offset a client holds is therefore a replay stream id.
 *
 * Every process broadcasts every notification itself (each consumes its own queue), so a restore
 * replays only up to this process's `watermark` (the newest stream id it has broadcast): what lies
 * beyond it will reach the restored socket live. A client that comes from a process further ahead
 * (its offset beyond the watermark) is skipped by live broadcasts until the watermark passes it.
 */
export interface SocketRecovery {
  /** Reads the stream's newest id: a process that has broadcast nothing yet still knows where it starts. */
  start(): Promise<void>;
  /**
   * The offset of the notification about to be broadcast: its stream id, or, when the replay append
   * failed or timed out, a process-local id. A client holding a local id is not recovered (it gets a
   * fresh session, Socket.IO's signal to refetch), rather than recovered with notifications silently
   * missing; the broadcaster records a gap in the stream for SSE clients too.
   */
  offsetOf(streamId: string | undefined): string;
  /**
   * Records a notification's broadcast: one with a stream id advances the watermark; one without
   * (its replay append failed or timed out) is handed to every restore in flight, whose socket is
   * not in its rooms yet and could not read it from the stream. `packet` is the event packet's data
   * as broadcast (event name, envelope, offset).
   */
  broadcasted(offset: string, packet?: readonly unknown[]): void;
  /** The offset a packet sent to one socket carries: what that socket has seen so far, if known. */
  offsetForSocket(sid: string): string | undefined;
  /** True when the socket already has the notification at `offset` (it came from a process further ahead). */
  alreadyHas(sid: string, offset: string): boolean;
  forget(sid: string): void;
  persist(session: PersistedSession): void;
  restore(pid: string, offset: string): Promise<Session | null>;
}

const streamIdPattern = /^\d+-\d+$/;
// Socket.IO's private session ids are 20 base64url characters; anything else is not looked up.
const pidPattern = /^[\w-]{1,64}$/;

/** The same audience as the live broadcast: the `all` room and the student's room. */
const reaches = (envelope: Envelope, rooms: Set<string>): boolean =>
  rooms.has(allRoom) || rooms.has(studentRoom(studentIdOf(envelope)));

/** The packet a replayed entry becomes (the offset last, as on live broadcasts), or undefined when it is not for these rooms. */
function packetOf(entry: ReplayEntry, rooms: Set<string>): unknown[] | undefined {
  if (isGapEntry(entry)) return ['gap', { reason: gapReasonOf(entry) }, entry.streamId];
  let envelope: Envelope;
  try {
    envelope = JSON.parse(entry.json) as Envelope;
  } catch {
    return undefined;
  }
  return reaches(envelope, rooms) ? [entry.type, envelope, entry.streamId] : undefined;
}

/** A notification broadcast without a stream id while a restore was reading the stream. */
interface Unstreamed {
  /** The watermark when it went out: it belongs after the replayed entries up to here. */
  after: string | undefined;
  packet: unknown[];
}

/**
 * The replayed packets (in stream order, each ending with its stream id) with the unstreamed ones
 * for these rooms put where they went out, so the client sees every notification in broadcast
 * order and its offset ends on the newest.
 */
function interleave(replayed: unknown[][], unstreamed: Unstreamed[], rooms: Set<string>): unknown[][] {
  if (unstreamed.length === 0) return replayed;
  // A timed-out append can still land, within the range just read (or another process appended
  // it first): the replayed copy, with its stream id, is the one kept.
  const replayedIds = new Set(replayed.map((packet) => (packet[1] as Partial<Envelope>).messageId));
  const mine = unstreamed.filter(
    ({ packet }) =>
      reaches(packet[1] as Envelope, rooms) && !replayedIds.has((packet[1] as Envelope).messageId),
  );
  if (mine.length === 0) return replayed;
  const merged: unknown[][] = [];
  let next = 0;
  for (const packet of replayed) {
    const streamId = packet.at(-1) as string;
    for (; next < mine.length; next++) {
      const { after, packet: unstreamedPacket } = mine[next] as Unstreamed;
      if (after !== undefined && compareStreamIds(after, streamId) >= 0) break;
      merged.push(unstreamedPacket);
    }
    merged.push(packet);
  }
  for (const { packet } of mine.slice(next)) merged.push(packet);
  return merged;
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const newer = (a: string | undefined, b: string): string =>
  a === undefined || compareStreamIds(b, a) > 0 ? b : a;

export function createSocketRecovery(options: SocketRecoveryOptions): SocketRecovery {
  const { sessions, replay, onError, restoreTimeoutMs = 2_000, pageSize = 500 } = options;
  let watermark: string | undefined;
  let localSeq = 0;
  const localPrefix = `local:${process.pid}.${Date.now().toString(36)}:`;
  // Recovered sockets whose client has seen further than this process has broadcast.
  const ahead = new Map<string, string>();
  // Restores reading the stream right now, each collecting what goes out meanwhile without a
  // stream id: their sockets join the rooms only when the read is done, and the stream will not
  // have it (or will have it past the watermark they stop at).
  const restoring = new Set<Unstreamed[]>();
  // A restore that saw more than this go out without a stream id gives its client a fresh
  // session instead: Redis is failing, and the list would grow with every notification.
  const maxUnstreamed = 1_000;

  /**
   * Missed entries after `offset` up to the watermark. The loop ends only when it has read up to
   * the watermark as it stands after the last await: from there to the socket joining its rooms
   * (Socket.IO builds it right after this promise resolves) only microtasks run, and fan-outs
   * always start from a macrotask, so no broadcast falls between replay and live delivery. A
   * broadcast without a stream id does not move the watermark: `restore` hands those over itself.
   */
  async function missedAfter(offset: string, rooms: Set<string>): Promise<unknown[][] | null> {
    const packets: unknown[][] = [];
    let from = offset;
    while (watermark !== undefined && compareStreamIds(from, watermark) < 0) {
      const bound = watermark;
      // Sent in order on one connection: the oldest entry is read after the page, so if the
      // client's own entry is still the oldest or newer, nothing in the page was trimmed before it.
      const [page, [oldest]] = await Promise.all([
        replay.readAfter(from, pageSize),
        replay.readAfter('-', 1),
      ]);
      if (oldest === undefined || compareStreamIds(offset, oldest.streamId) < 0) return null;
      const upToBound = page.filter((entry) => compareStreamIds(entry.streamId, bound) <= 0);
      for (const entry of upToBound) {
        const packet = packetOf(entry, rooms);
        if (packet) packets.push(packet);
      }
      // The bound's own entry gone (trimmed after the page) or a short page: read to it and stop.
      from =
        upToBound.length < page.length || page.length < pageSize
          ? bound
          : (upToBound.at(-1)?.streamId ?? bound);
    }
    return watermark === undefined ? null : packets;
  }

  async function restore(pid: string, offset: string): Promise<Session | null> {
    if (!streamIdPattern.test(offset) || !pidPattern.test(pid)) return null;
    const unstreamed: Unstreamed[] = [];
    restoring.add(unstreamed);
    try {
      const session = await sessions.take(pid);
      if (!session) return null;
      const rooms = new Set(session.rooms);
      const replayed = await missedAfter(offset, rooms);
      if (!replayed || unstreamed.length > maxUnstreamed) return null;
      if (watermark !== undefined && compareStreamIds(offset, watermark) > 0) ahead.set(session.sid, offset);
      return { ...session, missedPackets: interleave(replayed, unstreamed, rooms) };
    } finally {
      restoring.delete(unstreamed);
    }
  }

  return {
    async start() {
      try {
        const last = await sessions.lastStreamId();
        if (last !== undefined) watermark = newer(watermark, last);
      } catch (error) {
        onError?.(error, 'start');
      }
    },
    offsetOf: (streamId) => streamId ?? `${localPrefix}${++localSeq}`,
    broadcasted(offset, packet) {
      if (!streamIdPattern.test(offset)) {
        if (packet && restoring.size > 0) {
          // One copy for every restore: the broadcast's own array is Socket.IO's.
          const unstreamed = { after: watermark, packet: [...packet] };
          for (const pending of restoring) if (pending.length <= maxUnstreamed) pending.push(unstreamed);
        }
        return;
      }
      watermark = newer(watermark, offset);
      for (const [sid, after] of ahead) if (compareStreamIds(after, offset) <= 0) ahead.delete(sid);
    },
    offsetForSocket: (sid) => ahead.get(sid) ?? watermark,
    alreadyHas(sid, offset) {
      const after = ahead.get(sid);
      return after !== undefined && streamIdPattern.test(offset) && compareStreamIds(offset, after) <= 0;
    },
    forget: (sid) => void ahead.delete(sid),
    persist(session) {
      // Fire-and-forget (Socket.IO does not wait for it): a client back before the write lands
      // gets a fresh session, as with the stock adapter when the server has not yet seen it go.
      sessions.save(session).catch((error: unknown) => onError?.(error, 'persist'));
    },
    restore: (pid, offset) =>
      withTimeout(
        restore(pid, offset).catch((error: unknown) => {
          onError?.(error, 'restore');
          return null;
        }),
        restoreTimeoutMs,
        null,
      ),
  };
}
