import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { createLogger } from './logger.ts';
import { migrate } from './migrate.ts';
import { createPostgresPool } from './postgres-pool.ts';
import { createRetentionSweeper, retentionRule } from './retention.ts';

const adminUrl = process.env.DATABASE_URL?.startsWith('postgres')
  ? process.env.DATABASE_URL
  : defaultUrls.database;
const name = `lab_test_${randomBytes(5).toString('hex')}`;
const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
let pool: pg.Pool;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

beforeAll(async () => {
  await admin(`create database ${name}`);
  await migrate({ databaseUrl: url });
  pool = createPostgresPool({ connectionString: url, max: 2 });
});
afterAll(async () => {
  await pool.end();
  await admin(`drop database if exists ${name} with (force)`);
});

const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000);

async function outboxRow(producer: string, createdHoursAgo: number, publishedHoursAgo?: number) {
  const { rows } = await pool.query<{ id: string }>(
    `insert into outbox (producer, exchange, routing_key, message_id, envelope, created_at, published_at)
     values ($1, 'x', 'k', $2, '{}', $3, $4) returning id::text as id`,
    [
      producer,
      randomUUID(),
      ago(createdHoursAgo),
      publishedHoursAgo === undefined ? null : ago(publishedHoursAgo),
    ],
  );
  return rows[0]!.id;
}

const ids = async (sql: string) => (await pool.query<{ id: string }>(sql)).rows.map((r) => r.id).sort();

describe('retention (PostgreSQL)', () => {
  it('deletes only expired rows, in batches: published outbox rows of its producer, old keys, finished ids', async () => {
    const kept = [
      await outboxRow('api', 30), // never published: the relay still owes it
      await outboxRow('api', 3, 2), // published, but recently
      await outboxRow('worker', 30, 30), // another producer's
    ];
    for (let i = 0; i < 5; i++) await outboxRow('api', 30, 25);
    await pool.query(
      `insert into idempotency_keys (scope, idempotency_key, request_hash, status, body, created_at)
       values ('s', 'old-1', 'h', 201, '{}', $1), ('s', 'old-2', 'h', 201, '{}', $1), ('s', 'new', 'h', 201, '{}', $2)`,
      [ago(30), ago(1)],
    );
    await pool.query(
      `insert into processed_messages (message_id, message_type, stage, completed_at) values
       ('done-old', 't', 'done', $1), ('done-new', 't', 'done', $2), ('half-done-old', 't', 'effect_committed', null)`,
      [ago(30), ago(1)],
    );
    const day = 86_400;
    const rules = [
      retentionRule(pool, { kind: 'outbox', producer: 'api' }, day),
      retentionRule(pool, { kind: 'idempotencyKeys' }, day),
      retentionRule(pool, { kind: 'processedMessages' }, day),
    ];
    const sweeper = createRetentionSweeper({
      rules,
      intervalMs: 60_000,
      batchSize: 2,
      logger: createLogger({ service: 'test', level: 'silent' }),
    });

    expect(await sweeper.sweep()).toEqual({ 'outbox:api': 5, idempotencyKeys: 2, processedMessages: 1 });

    expect(await ids('select id::text as id from outbox')).toEqual([...kept].sort());
    expect(await ids('select idempotency_key as id from idempotency_keys')).toEqual(['new']);
    expect(await ids('select message_id as id from processed_messages')).toEqual([
      'done-new',
      'half-done-old',
    ]);
    expect(await sweeper.sweep()).toEqual({ 'outbox:api': 0, idempotencyKeys: 0, processedMessages: 0 });
    await sweeper.stop();
  });
});
