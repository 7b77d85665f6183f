import { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.ts';
import { countCommands } from '../shared/redis-command-counting.ts';
import type { ResiliencePolicy } from '../shared/resilience-policy.ts';
import type { ApiMetrics } from './api-metrics.ts';
import { createRedisInvalidationBus, createRedisStudentL2 } from './cache/redis-student-cache.ts';
import type { StudentL2 } from './cache/student-cache-ports.ts';
import { createTwoLevelStudentCache, type StudentCache } from './cache/two-level-student-cache.ts';
import type { ApiConfig } from './config.ts';
import { createResponseCache, type ResponseCache } from './http/response-cache.ts';
import type { Student } from './students/student-store.ts';

export interface Caching {
  cache: StudentCache;
  responses: ResponseCache;
  l2: StudentL2;
  /**
   * Drops the student's cached copies and responses here, in Redis, and on every other instance;
   * `'deleted'` leaves a tombstone in Redis (cache-contract.ts).
   */
  invalidate(id: string, change?: 'updated' | 'deleted'): Promise<void>;
  close(): Promise<void>;
}

/**
 * Student cache (L1 + Redis L2), the de-duplication response cache, and the pub/sub that keeps both
 * fresh across instances. Redis commands fail fast while it is down (no offline queue), and every
 * call goes through the Redis policy, so an outage costs reads one short timeout at most.
 */
export function createCaching(deps: {
  config: ApiConfig;
  instanceId: string;
  load: (id: string) => Promise<Student | undefined>;
  policy: ResiliencePolicy;
  metrics: ApiMetrics;
  logger: Logger;
}): Caching {
  const { config, policy, logger } = deps;
  const onError = (error: unknown) => logger.debug({ err: error }, 'redis connection error');
  const redis = countCommands(
    new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
    deps.metrics.redisCommands,
  );
  const subscriber = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  redis.on('error', onError);
  subscriber.on('error', onError);
  const l2 = createRedisStudentL2(redis);
  const bus = createRedisInvalidationBus({ publisher: redis, subscriber, origin: deps.instanceId, logger });
  const cache = createTwoLevelStudentCache({
    load: deps.load,
    l2,
    policy,
    counter: deps.metrics.cacheRequests,
    logger,
    l1TtlMs: config.CACHE_L1_TTL_MS,
    l1MaxEntries: config.CACHE_L1_MAX_ENTRIES,
  });
  const responses = createResponseCache({
    maxEntries: config.DEDUPE_MAX_ENTRIES,
    maxBytes: config.DEDUPE_MAX_BYTES,
  });
  bus.subscribe((id) => {
    responses.invalidateStudent(id);
    cache.invalidateLocal(id);
  });
  return {
    cache,
    responses,
    l2,
    async invalidate(id, change) {
      responses.invalidateStudent(id);
      await cache.invalidate(id, change);
      await policy.execute(() => bus.publish(id)).catch(() => undefined);
    },
    async close() {
      await bus.close();
      redis.disconnect();
    },
  };
}
