import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '../../shared/postgres-pool.ts';
import { appendToOutboxPostgres } from '../../shared/outbox/postgres-outbox-store.ts';
import {
  studentColumns,
  toStudent,
  type CreateResult,
  type IdempotencyRequest,
  type StudentRow,
  type StudentStore,
  type WriteContext,
} from './student-store.ts';

const producer = 'api';

/** Claims the key (blocking behind a concurrent claimer until it commits); returns the earlier answer if any. */
async function claimKey(
  client: pg.PoolClient,
  request: IdempotencyRequest,
): Promise<CreateResult | undefined> {
  const claimed = await client.query(
    `insert into idempotency_keys (scope, idempotency_key, request_hash, status, body)
     values ($1, $2, $3, 0, '') on conflict do nothing`,
    [request.scope, request.key, request.requestHash],
  );
  if (claimed.rowCount === 1) return undefined;
  const { rows } = await client.query<{ request_hash: string; status: number; body: string }>(
    'select request_hash, status, body from idempotency_keys where scope = $1 and idempotency_key = $2',
    [request.scope, request.key],
  );
  const row = rows[0]!;
  return row.request_hash === request.requestHash
    ? { kind: 'replayed', status: row.status, body: row.body }
    : { kind: 'key_reused' };
}

export function createPostgresStudentStore(pool: pg.Pool): StudentStore {
  const appendEvents = async (client: pg.PoolClient, row: StudentRow, context: WriteContext) => {
    if (context.events) await appendToOutboxPostgres(client, producer, context.events(toStudent(row)));
  };

  return {
    create: (input, context, idempotency) =>
      withTransaction(pool, async (client): Promise<CreateResult> => {
        const earlier = idempotency ? await claimKey(client, idempotency) : undefined;
        if (earlier) return earlier;
        const { rows } = await client.query<StudentRow>(
          `insert into students (id, first_name, last_name, email, created_by, last_modified_by)
           values ($1, $2, $3, $4, $5, $5) returning ${studentColumns}`,
          [randomUUID(), input.firstName, input.lastName, input.email, context.actor],
        );
        const row = rows[0]!;
        await appendEvents(client, row, context);
        const student = toStudent(row);
        if (idempotency) {
          await client.query(
            'update idempotency_keys set status = 201, body = $3 where scope = $1 and idempotency_key = $2',
            [idempotency.scope, idempotency.key, JSON.stringify(student)],
          );
        }
        return { kind: 'created', student };
      }),

    async get(id) {
      const { rows } = await pool.query<StudentRow>(`select ${studentColumns} from students where id = $1`, [
        id,
      ]);
      return rows[0] ? toStudent(rows[0]) : undefined;
    },

    async list({ limit, cursor }) {
      const { rows } = await pool.query<StudentRow>(
        `select ${studentColumns} from students where ($1::uuid is null or id > $1::uuid) order by id limit $2`,
        [cursor ?? null, limit + 1],
      );
      const items = rows.slice(0, limit).map(toStudent);
      return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
    },

    update: (id, input, context) =>
      withTransaction(pool, async (client) => {
        const { rows } = await client.query<StudentRow>(
          `update students set first_name = $2, last_name = $3, email = $4, last_modified = now(),
           last_modified_by = $5 where id = $1 returning ${studentColumns}`,
          [id, input.firstName, input.lastName, input.email, context.actor],
        );
        if (!rows[0]) return undefined;
        await appendEvents(client, rows[0], context);
        return toStudent(rows[0]);
      }),

    delete: (id, context) =>
      withTransaction(pool, async (client) => {
        const { rows } = await client.query<StudentRow>(
          `delete from students where id = $1 returning ${studentColumns}`,
          [id],
        );
        if (!rows[0]) return false;
        await appendEvents(client, rows[0], context);
        return true;
      }),

    async ping() {
      await pool.query('select 1');
    },
    close: () => pool.end(),
  };
}
