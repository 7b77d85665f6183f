import type { Redis } from 'ioredis';
import {
  cacheInvalidationChannel,
  decodeInvalidation,
  encodeInvalidation,
  studentCacheKey,
  studentCacheTtlSec,
} from '../../shared/cache-contract.ts';
import { studentSchema } from '../../shared/envelope.ts';
import type { Logger } from '../../shared/logger.ts';
import type { InvalidationBus, StudentL2 } from './student-cache-ports.ts';

/** Redis L2 under the key and TTL of cache-contract.ts; an entry that does not parse is a miss. */
export function createRedisStudentL2(redis: Redis): StudentL2 {
  return {
    async get(id) {
      const raw = await redis.get(studentCacheKey(id));
      if (raw === null) return undefined;
      try {
        const parsed = studentSchema.safeParse(JSON.parse(raw));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
    async set(student) {
      await redis.set(studentCacheKey(student.id), JSON.stringify(student), 'EX', studentCacheTtlSec);
    },
    async delete(id) {
      await redis.del(studentCacheKey(id));
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
