import type { Redis } from 'ioredis';
import { redisScript } from '../shared/redis-script.ts';

/** One notification as kept in the replay buffer. */
export interface ReplayEntry {
  streamId: string;
  messageId: string;
  type: string;
  /** The envelope JSON, exactly as it was broadcast. */
  json: string;
}

export type ReplayPosition =
  /** `gap`: the client's own entry has been trimmed away (it is older than the buffer). */
  | { kind: 'found'; streamId: string; gap: boolean }
  /** The id was never buffered here, or its index entry expired: what followed it cannot be known. */
  | { kind: 'unknown' };

/** The replay buffer the SSE endpoint reads on `Last-Event-ID` (a port; Redis Streams adapter below). */
export interface ReplayStore {
  /** Appends once per messageId (other instances append the same notification); returns its stream id. */
  append(entry: Omit<ReplayEntry, 'streamId'>): Promise<string>;
  /** Where a client's last seen messageId sits, and whether entries after it were trimmed away. */
  locate(messageId: string): Promise<ReplayPosition>;
  /** Entries strictly after `streamId` (`'-'` = from the oldest), oldest first, at most `count`. */
  readAfter(streamId: string, count: number): Promise<ReplayEntry[]>;
}

export interface RedisReplayStoreOptions {
  redis: Redis;
  /** The stream key; the index keys are `<streamKey>:id:<messageId>`. */
  streamKey: string;
  /** Entries kept (approximately: `XADD MAXLEN ~`). */
  maxLen: number;
  /** Lifetime of a messageId → stream id index entry, in seconds. */
  indexTtlSec: number;
}

// Append-once: the index key doubles as the de-duplication marker across instances.
const appendOnce = redisScript(`
local existing = redis.call('GET', KEYS[2])
if existing then return existing end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'm', ARGV[2], 't', ARGV[3], 'e', ARGV[4])
redis.call('SET', KEYS[2], id, 'EX', ARGV[5])
return id`);

/** Compares two stream ids (`<ms>-<seq>`) numerically. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

function toEntry([streamId, fields]: [string, string[]]): ReplayEntry {
  const value: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) value[fields[i] as string] = fields[i + 1] as string;
  return { streamId, messageId: value.m ?? '', type: value.t ?? '', json: value.e ?? '' };
}

export function createRedisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  const { redis, streamKey, maxLen, indexTtlSec } = options;
  const indexKey = (messageId: string) => `${streamKey}:id:${messageId}`;
  return {
    async append({ messageId, type, json }) {
      const id = await appendOnce(
        redis,
        [streamKey, indexKey(messageId)],
        [maxLen, messageId, type, json, indexTtlSec],
      );
      return String(id);
    },
    async locate(messageId) {
      const streamId = await redis.get(indexKey(messageId));
      if (!streamId) return { kind: 'unknown' };
      // Trimming removes the oldest entries first: once the client's own entry is gone, what
      // followed it may be gone too, so the client is told (Redis 7.0 does not record trimmed ids).
      const [oldest] = (await redis.xrange(streamKey, '-', '+', 'COUNT', 1)) as [string, string[]][];
      const gap = oldest === undefined || compareStreamIds(streamId, oldest[0]) < 0;
      return { kind: 'found', streamId, gap };
    },
    async readAfter(streamId, count) {
      const start = streamId === '-' ? '-' : `(${streamId}`;
      const rows = (await redis.xrange(streamKey, start, '+', 'COUNT', count)) as [string, string[]][];
      return rows.map(toEntry);
    },
  };
}
