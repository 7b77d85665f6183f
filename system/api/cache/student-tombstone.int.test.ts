import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTombstone, studentCacheKey, studentCacheTtlSec } from '../../shared/cache-contract.ts';
import { defaultUrls } from '../../../contracts/default-urls.ts';
import type { Student } from '../../../contracts/envelope.ts';
import { createLogger } from '../../shared/logger.ts';
import { createNoopPolicy } from '../../shared/resilience-policy.ts';
import { createRedisStudentCache } from '../../worker/redis-student-cache.ts';
import { createRedisStudentL2 } from './redis-student-cache.ts';
import { createTwoLevelStudentCache } from './two-level-student-cache.ts';

const prefix = `test:${randomUUID()}:`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? defaultUrls.redis);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const studentOf = (id: string, updates: number): Student => ({
  id,
  firstName: 'A',
  lastName: 'B',
  email: 'a@b.co',
  fullName: 'A B',
  updates,
  created: '2026-01-01T00:00:00.000Z',
  createdBy: 'x',
  lastModified: `2026-01-01T00:00:0${updates}.000Z`,
  lastModifiedBy: 'x',
});

/** The API's read path (L1 + this Redis L2) and the worker's cache, on one key prefix. */
function setup() {
  const l2 = createRedisStudentL2(redis, prefix);
  let loads = 0;
  const api = createTwoLevelStudentCache({
    load: (id) => ((loads += 1), Promise.resolve(studentOf(id, 1))),
    l2,
    policy: createNoopPolicy('redis'),
    counter: new Counter({
      name: 'c',
      help: 'h',
      labelNames: ['cache', 'level', 'result'] as const,
      registers: [new Registry()],
    }),
    logger: createLogger({ service: 't', level: 'silent' }),
    l1TtlMs: 60_000,
    l1MaxEntries: 100,
  });
  const worker = createRedisStudentCache({
    redis,
    policy: createNoopPolicy('redis'),
    instanceId: 'tombstone-test',
    keyPrefix: prefix,
  });
  const raw = async (id: string): Promise<unknown> =>
    JSON.parse((await redis.get(prefix + studentCacheKey(id))) ?? 'null');
  return { l2, api, worker, raw, loads: () => loads };
}

describe('student tombstone across the API and the worker (real Redis)', () => {
  it('keeps a late worker put of an older copy from reviving a student the API deleted', async () => {
    const t = setup();
    const id = randomUUID();
    expect(await t.worker.put(studentOf(id, 1))).toBe(true);
    expect((await t.api.get(id))?.updates).toBe(1);

    await t.api.invalidate(id, 'deleted');
    expect(await t.worker.put(studentOf(id, 2))).toBe(false);

    expect(isTombstone(await t.raw(id))).toBe(true);
    const ttl = await redis.ttl(prefix + studentCacheKey(id));
    expect(ttl).toBeGreaterThan(studentCacheTtlSec - 10);
    expect(await t.l2.get(id)).toBe('deleted');
    expect(await t.api.get(id)).toBeUndefined();
    expect(t.loads()).toBe(0);
  });

  it("keeps the tombstone against the API's own set and an update's invalidation", async () => {
    const t = setup();
    const id = randomUUID();
    await t.l2.tombstone(id);
    await t.l2.set(studentOf(id, 1));
    await t.api.invalidate(id, 'updated');
    expect(isTombstone(await t.raw(id))).toBe(true);
    expect(await t.api.get(id)).toBeUndefined();
  });

  it("leaves a tombstone from the worker's student.deleted eviction that a later put cannot replace", async () => {
    const t = setup();
    const id = randomUUID();
    expect(await t.worker.put(studentOf(id, 3))).toBe(true);
    await t.worker.evict(id);
    expect(await t.worker.put(studentOf(id, 3))).toBe(false);
    expect(isTombstone(await t.raw(id))).toBe(true);
    expect(await t.l2.get(id)).toBe('deleted');
  });

  it('still lets an update invalidation drop an ordinary cached copy', async () => {
    const t = setup();
    const id = randomUUID();
    await t.l2.set(studentOf(id, 1));
    await t.api.invalidate(id, 'updated');
    expect(await redis.exists(prefix + studentCacheKey(id))).toBe(0);
  });
});
