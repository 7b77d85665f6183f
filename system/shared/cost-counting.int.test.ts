import { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultUrls } from '../../contracts/default-urls.ts';
import type { CostCause } from '../../contracts/service-metrics.ts';
import { attributeTo } from './cost-attribution.ts';
import { countStatements, createPostgresPool, withTransaction } from './postgres-pool.ts';
import { countCommands } from './redis-command-counting.ts';

const databaseUrl = process.env.DATABASE_URL?.startsWith('postgres')
  ? process.env.DATABASE_URL
  : defaultUrls.database;
const redisUrl = process.env.REDIS_URL ?? defaultUrls.redis;

function causeCounter(): {
  counter: Counter<'cause'>;
  byCause(): Promise<Partial<Record<CostCause, number>>>;
} {
  const counter = new Counter({
    name: 'cost_test_total',
    help: 'test',
    labelNames: ['cause'],
    registers: [new Registry()],
  });
  return {
    counter,
    async byCause() {
      const values = (await counter.get()).values;
      return Object.fromEntries(values.map((v) => [String(v.labels.cause), v.value]));
    },
  };
}

describe('SQL statements are counted by the cause of the code that sent them', () => {
  const statements = causeCounter();
  const pool = countStatements(
    createPostgresPool({ connectionString: databaseUrl, max: 2 }),
    statements.counter,
  );
  afterAll(() => pool.end());

  it('counts pool queries and a transaction’s statements once each, under their caller’s cause', async () => {
    await attributeTo('request', () => pool.query('select 1'));
    // begin, two statements, commit: four, none counted twice through pg-pool's internal checkout
    await attributeTo('message', () =>
      withTransaction(pool, async (client) => {
        await client.query('select 2');
        await client.query('select 3');
      }),
    );
    await pool.query('select 4');
    expect(await statements.byCause()).toEqual({ request: 1, message: 4, other: 1 });
  });

  it('keeps concurrent callers’ causes apart, also when they queue for a connection', async () => {
    const before = await statements.byCause();
    // Two connections, eight callers: six wait for a client another caller releases.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        attributeTo(i % 2 === 0 ? 'request' : 'message', () => pool.query('select pg_sleep(0.01)')),
      ),
    );
    const after = await statements.byCause();
    expect((after.request ?? 0) - (before.request ?? 0)).toBe(4);
    expect((after.message ?? 0) - (before.message ?? 0)).toBe(4);
  });
});

describe('Redis commands are counted by the cause of the code that sent them', () => {
  const commands = causeCounter();
  let redis: Redis;
  beforeAll(async () => {
    redis = countCommands(new Redis(redisUrl, { lazyConnect: true }), commands.counter);
    await redis.connect();
  });
  afterAll(() => redis.quit());

  it('counts plain and pipelined commands once each', async () => {
    const before = await commands.byCause();
    const key = `lab:test:cost:${process.pid}`;
    await attributeTo('request', () => redis.set(key, '1', 'EX', 10));
    await attributeTo('message', () => redis.pipeline().get(key).del(key).exec());
    const after = await commands.byCause();
    expect((after.request ?? 0) - (before.request ?? 0)).toBe(1);
    expect((after.message ?? 0) - (before.message ?? 0)).toBe(2);
  });
});
