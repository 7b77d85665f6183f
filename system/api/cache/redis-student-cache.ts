import type { Redis } from 'ioredis';
import {
  cacheInvalidationChannel,
  decodeInvalidation,
  encodeInvalidation,
  isTombstone,
  luaIsTombstone,
  studentCacheKey,
  studentCacheTtlSec,
  studentTombstone,
} from '../../shared/cache-contract.ts';
import { studentSchema, type Student } from '../../../contracts/envelope.ts';
import type { Logger } from '../../shared/logger.ts';
import { redisScript } from '../../shared/redis-script.ts';
import type { InvalidationBus, StudentL2 } from './student-cache-ports.ts';

/** KEYS[1]; ARGV value, ttl (s): SET unless the key holds a tombstone. */
const setUnlessTombstone = redisScript(`${luaIsTombstone}
if is_tombstone(redis.call('GET', KEYS[1])) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`);

/** KEYS[1]: DEL unless the key holds a tombstone (an update racing a delete must not clear it). */
const deleteUnlessTombstone = redisScript(`${luaIsTombstone}
if is_tombstone(redis.call('GET', KEYS[1])) then return 0 end
return redis.call('DEL', KEYS[1])`);

function parseCached(raw: string): Student | 'deleted' | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    if (isTombstone(value)) return 'deleted';
    const parsed = studentSchema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Redis L2 under the key and TTL of cache-contract.ts; an entry that does not parse is a miss, a
 * tombstone is `'deleted'`. `keyPrefix` is for tests (empty in production).
 */
export function createRedisStudentL2(redis: Redis, keyPrefix = ''): StudentL2 {
  const key = (id: string) => keyPrefix + studentCacheKey(id);
  return {
    async get(id) {
      const raw = await redis.get(key(id));
      return raw === null ? undefined : parseCached(raw);
    },
    async set(student) {
      const value = JSON.stringify(student);
      await setUnlessTombstone(redis, [key(student.id)], [value, String(studentCacheTtlSec)]);
    },
    async delete(id) {
      await deleteUnlessTombstone(redis, [key(id)], []);
    },
    async tombstone(id) {
      await redis.set(key(id), studentTombstone(id), 'EX', studentCacheTtlSec);
    },
    async ping() {
      await redis.ping();
    },
  };
}

/**
 * Pub/sub invalidation on the channel of cache-contract.ts. `subscriber` is a dedicated connection
 * (a subscribed Redis connection can do nothing else); ioredis re-subscribes after a reconnect.
 */
export function createRedisInvalidationBus(options: {
  publisher: Redis;
  subscriber: Redis;
  origin: string;
  logger: Pick<Logger, 'warn'>;
}): InvalidationBus {
  const { publisher, subscriber, origin, logger } = options;
  const listeners: ((studentId: string) => void)[] = [];
  subscriber.on('message', (channel: string, raw: string) => {
    if (channel !== cacheInvalidationChannel) return;
    const message = decodeInvalidation(raw);
    if (!message || message.origin === origin) return;
    for (const listener of listeners) listener(message.studentId);
  });
  subscriber.subscribe(cacheInvalidationChannel).catch((error: unknown) => {
    logger.warn({ err: error }, 'cache invalidation subscribe failed; ioredis retries on reconnect');
  });
  return {
    async publish(studentId) {
      await publisher.publish(cacheInvalidationChannel, encodeInvalidation({ studentId, origin }));
    },
    subscribe: (listener) => void listeners.push(listener),
    async close() {
      subscriber.disconnect();
      await Promise.resolve();
    },
  };
}
