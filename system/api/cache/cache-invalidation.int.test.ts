import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheInvalidationChannel, encodeInvalidation } from '../../shared/cache-contract.ts';
import { defaultUrls } from '../../../contracts/default-urls.ts';
import type { Student } from '../../../contracts/envelope.ts';
import { eventually, jsonHeaders, startTestApi, studentBody, type TestApi } from '../testing/api-harness.ts';

let a: TestApi;
let b: TestApi;
let redis: Redis;

beforeAll(async () => {
  a = await startTestApi();
  b = await startTestApi({}, { database: a.database });
  redis = new Redis(process.env.REDIS_URL ?? defaultUrls.redis);
});
afterAll(async () => {
  redis?.disconnect();
  await b?.close();
  await a?.close();
});

const get = async (api: TestApi, id: string) => {
  const res = await fetch(`${api.url}/api/students/${id}`);
  return {
    student: (await res.json()) as Student,
    deduplicated: res.headers.get('x-deduplicated') === 'true',
  };
};

describe('cross-instance cache invalidation', () => {
  it('drops cached GETs on every instance after a write on one of them', async () => {
    const created = await fetch(`${a.url}/api/students`, {
      method: 'POST',
      headers: jsonHeaders,
      body: JSON.stringify(studentBody('x1')),
    });
    const { id } = (await created.json()) as Student;
    await get(b, id);
    expect((await get(b, id)).deduplicated).toBe(true);
    const put = await fetch(`${a.url}/api/students/${id}`, {
      method: 'PUT',
      headers: jsonHeaders,
      body: JSON.stringify({ ...studentBody('x1'), firstName: 'Renamed' }),
    });
    expect(put.status).toBe(200);
    expect(await eventually(async () => (await get(b, id)).student.firstName === 'Renamed', 3_000)).toBe(
      true,
    );
  });

  it("obeys the worker's invalidation after it incremented updates", async () => {
    const created = await fetch(`${a.url}/api/students`, {
      method: 'POST',
      headers: jsonHeaders,
      body: JSON.stringify(studentBody('x2')),
    });
    const { id } = (await created.json()) as Student;
    await get(a, id);
    expect((await get(a, id)).student.updates).toBe(0);
    const client = new pg.Client({ connectionString: a.database.url });
    await client.connect();
    await client.query('update students set updates = updates + 1 where id = $1', [id]);
    await client.end();
    await redis.del(`student:${id}`);
    await redis.publish(
      cacheInvalidationChannel,
      encodeInvalidation({ studentId: id, origin: 'worker-test' }),
    );
    expect(await eventually(async () => (await get(a, id)).student.updates === 1, 3_000)).toBe(true);
  });
});
