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
  /** Records a broadcast with a stream id offset (advances the watermark). */
  broadcasted(offset: string): void;
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

/** The packet a replayed entry becomes (the offset last, as on live broadcasts), or undefined when it is not for these rooms. */
function packetOf(entry: ReplayEntry, rooms: Set<string>): unknown[] | undefined {
  if (isGapEntry(entry)) return ['gap', { reason: gapReasonOf(entry) }, entry.streamId];
  let envelope: Envelope;
  try {
    envelope = JSON.parse(entry.json) as Envelope;
  } catch {
    return undefined;
  }
  // The same audience as the live broadcast: the `all` room and the student's room.
  const included = rooms.has(allRoom) || rooms.has(studentRoom(studentIdOf(envelope)));
  return included ? [entry.type, envelope, entry.streamId] : undefined;
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

  /**
   * Missed entries after `offset` up to the watermark. The loop ends only when it has read up to
   * the watermark as it stands after the last await: from there to the socket joining its rooms
   * (Socket.IO builds it right after this promise resolves) only microtasks run, and fan-outs
   * always start from a macrotask, so no broadcast falls between replay and live delivery.
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
    const session = await sessions.take(pid);
    if (!session) return null;
    const missedPackets = await missedAfter(offset, new Set(session.rooms));
    if (!missedPackets) return null;
    if (watermark !== undefined && compareStreamIds(offset, watermark) > 0) ahead.set(session.sid, offset);
    return { ...session, missedPackets };
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
    broadcasted(offset) {
      if (!streamIdPattern.test(offset)) return;
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
