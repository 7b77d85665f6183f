import type { Redis } from 'ioredis';
import type { PersistedSession, SocketSessionStore } from './socket-recovery.ts';

export interface RedisSocketSessionsOptions {
  redis: Redis;
  /** The replay stream; sessions are kept under `<streamKey>:sio:<pid>`, beside it. */
  streamKey: string;
  /** How long a disconnected session is kept: the recovery window, in milliseconds. */
  ttlMs: number;
}

function parseSession(json: string): PersistedSession | undefined {
  try {
    const value = JSON.parse(json) as Partial<PersistedSession>;
    const valid =
      typeof value.sid === 'string' &&
      typeof value.pid === 'string' &&
      Array.isArray(value.rooms) &&
      value.rooms.every((room) => typeof room === 'string');
    return valid ? (value as PersistedSession) : undefined;
  } catch {
    return undefined;
  }
}

/** Socket.IO sessions of disconnected clients in Redis, where every notifications process finds them. */
export function createRedisSocketSessions(options: RedisSocketSessionsOptions): SocketSessionStore {
  const { redis, streamKey, ttlMs } = options;
  const keyOf = (pid: string) => `${streamKey}:sio:${pid}`;
  return {
    async save(session) {
      const { sid, pid, rooms, data } = session;
      await redis.set(keyOf(pid), JSON.stringify({ sid, pid, rooms, data }), 'PX', ttlMs);
    },
    async take(pid) {
      const json = await redis.getdel(keyOf(pid));
      return json === null ? undefined : parseSession(json);
    },
    async lastStreamId() {
      const [last] = (await redis.xrevrange(streamKey, '+', '-', 'COUNT', 1)) as [string, string[]][];
      return last?.[0];
    },
  };
}
