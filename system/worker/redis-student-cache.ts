import { Redis } from 'ioredis';
import {
  cacheInvalidationChannel,
  encodeInvalidation,
  studentCacheKey,
  studentCacheTtlSec,
  studentTombstone,
} from '../shared/cache-contract.ts';
import { redisScript } from '../shared/redis-script.ts';
import type { ResiliencePolicy } from '../shared/resilience-policy.ts';
import type { StudentCache } from './student-cache.ts';

/**
 * Compare-and-set in one round trip, so a slow handler never overwrites a newer copy written by a
 * faster one: KEYS[1] key; ARGV student JSON, updates, lastModified, ttl (s), channel,
 * invalidation message. Publishes the invalidation either way (dropping an L1 copy is always safe).
 * A tombstone (cache-contract.ts) is never overwritten: its `updates` is 2^53 − 1, exact as a Lua
 * double, so `have > mine` holds for every real student.
 */
const putIfNewer = redisScript(`
local current = redis.call('GET', KEYS[1])
local write = 1
if current then
  local ok, cached = pcall(cjson.decode, current)
  if ok and type(cached) == 'table' and tonumber(cached.updates) then
    local have = tonumber(cached.updates)
    local mine = tonumber(ARGV[2])
    if have > mine or (have == mine and tostring(cached.lastModified) > ARGV[3]) then write = 0 end
  end
end
if write == 1 then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4]) end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return write`);

export interface RedisStudentCacheOptions {
  redis: Redis;
  /** The `redis` policy: a Redis outage fails fast once its breaker is open. */
  policy: ResiliencePolicy;
  /** Sent as `origin` in invalidations. */
  instanceId: string;
  /** Prefixed to every key (tests); empty in production. */
  keyPrefix?: string;
  ttlSec?: number;
}

export function createRedisStudentCache(options: RedisStudentCacheOptions): StudentCache {
  const { redis, policy, instanceId, keyPrefix = '', ttlSec = studentCacheTtlSec } = options;
  const key = (id: string) => keyPrefix + studentCacheKey(id);
  const channel = keyPrefix + cacheInvalidationChannel;
  const invalidation = (studentId: string) => encodeInvalidation({ studentId, origin: instanceId });

  return {
    put: (student) =>
      policy.execute(async () => {
        const written = await putIfNewer(
          redis,
          [key(student.id)],
          [
            JSON.stringify(student),
            String(student.updates),
            student.lastModified,
            String(ttlSec),
            channel,
            invalidation(student.id),
          ],
        );
        return written === 1;
      }),
    evict: (studentId) =>
      policy.execute(async () => {
        await redis
          .multi()
          .set(key(studentId), studentTombstone(studentId), 'EX', ttlSec)
          .publish(channel, invalidation(studentId))
          .exec();
      }),
    ping: async () => void (await redis.ping()),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Fails commands at once while disconnected (no offline queue), so the policy sees the outage. */
export function createWorkerRedis(url: string, onError: (error: unknown) => void): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(100 * 2 ** times, 2_000),
  });
  redis.on('error', onError);
  return redis;
}
