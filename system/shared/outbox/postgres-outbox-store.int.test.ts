import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../api/testing/postgres-test-database.ts';
import { createEnvelope } from '../../../contracts/envelope.ts';
import { appendToOutbox } from './append-to-outbox.ts';
import { createPostgresOutboxStore } from './postgres-outbox-store.ts';
import { createPostgresPool } from '../postgres-pool.ts';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPostgresPool({ connectionString: database.url, max: 6 });
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const message = (i: number) => ({
  exchange: 'students.events',
  routingKey: 'student.created',
  envelope: createEnvelope({
    type: 'student.created',
    correlationId: `c-${i}`,
    producer: 'worker',
    payload: { id: `s-${i}` },
  }),
});

describe('PostgreSQL outbox store', () => {
  it('keeps appended rows only when the caller commits', async () => {
    const store = createPostgresOutboxStore(pool);
    const client = await pool.connect();
    await client.query('begin');
    await appendToOutbox(client, 'worker', [message(-1)]);
    await client.query('rollback');
    client.release();
    expect((await store.stats('worker')).pending).toBe(0);
  });

  it('lets concurrent relays of one producer publish each row once, in id order, and leaves other producers alone', async () => {
    const store = createPostgresOutboxStore(pool);
    const client = await pool.connect();
    await client.query('begin');
    await appendToOutbox(
      client,
      'worker',
      Array.from({ length: 300 }, (_, i) => message(i)),
    );
    await appendToOutbox(client, 'other', [message(999)]);
    await client.query('commit');
    client.release();
    expect((await store.stats('worker')).pending).toBe(300);

    const published: string[] = [];
    const relay = async () => {
      for (let guard = 0; guard < 200 && (await store.stats('worker')).pending > 0; guard++) {
        await store.relayBatch('worker', 25, async (rows) => {
          await new Promise((r) => setTimeout(r, 2));
          published.push(
            ...rows.map((r) => (JSON.parse(r.envelope) as { payload: { id: string } }).payload.id),
          );
        });
      }
    };
    await Promise.all([relay(), relay(), relay()]);
    expect(published).toEqual(Array.from({ length: 300 }, (_, i) => `s-${i}`));
    expect((await store.stats('worker')).pending).toBe(0);
    expect((await store.stats('other')).pending).toBe(1);
  });

  it('leaves rows pending when publishing fails', async () => {
    const store = createPostgresOutboxStore(pool);
    const before = (await store.stats('other')).pending;
    await expect(
      store.relayBatch('other', 10, () => Promise.reject(new Error('broker away'))),
    ).rejects.toThrow('broker away');
    expect((await store.stats('other')).pending).toBe(before);
    expect((await store.stats('other')).oldestAgeSec).toBeGreaterThanOrEqual(0);
  });
});
