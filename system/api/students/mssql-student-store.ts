import { randomUUID } from 'node:crypto';
import mssql from 'mssql';
import { appendToOutboxMssql } from '../../shared/outbox/mssql-outbox-store.ts';
import {
  studentColumns,
  toStudent,
  type CreateResult,
  type IdempotencyRequest,
  type StudentInput,
  type StudentRow,
  type StudentStore,
  type WriteContext,
} from './student-store.ts';

/** Every T-SQL statement of this adapter; the unit suite parses each with a T-SQL parser. */
export const mssqlStudentStatements = {
  insert: `INSERT INTO students (id, first_name, last_name, email, created_by, last_modified_by) VALUES (@id, @firstName, @lastName, @email, @actor, @actor)`,
  selectById: `SELECT ${studentColumns} FROM students WHERE id = @id`,
  selectByIdForUpdate: `SELECT ${studentColumns} FROM students WITH (UPDLOCK, HOLDLOCK) WHERE id = @id`,
  listFirst: `SELECT TOP (@limit) ${studentColumns} FROM students ORDER BY id`,
  listAfter: `SELECT TOP (@limit) ${studentColumns} FROM students WHERE id > @cursor ORDER BY id`,
  update: `UPDATE students SET first_name = @firstName, last_name = @lastName, email = @email, last_modified = SYSDATETIMEOFFSET(), last_modified_by = @actor WHERE id = @id`,
  delete: `DELETE FROM students WHERE id = @id`,
  selectKey: `SELECT request_hash, status, body FROM idempotency_keys WITH (UPDLOCK, HOLDLOCK) WHERE scope = @scope AND idempotency_key = @key`,
  insertKey: `INSERT INTO idempotency_keys (scope, idempotency_key, request_hash, status, body) VALUES (@scope, @key, @hash, @status, @body)`,
  ping: `SELECT 1 AS ok`,
} as const;

const producer = 'api';

async function inTransaction<T>(
  pool: mssql.ConnectionPool,
  fn: (tx: mssql.Transaction) => Promise<T>,
): Promise<T> {
  const tx = new mssql.Transaction(pool);
  await tx.begin();
  try {
    const result = await fn(tx);
    await tx.commit();
    return result;
  } catch (error) {
    await tx.rollback().catch(() => undefined);
    throw error;
  }
}

const withInput = (request: mssql.Request, input: StudentInput, actor: string) =>
  request
    .input('firstName', mssql.NVarChar(100), input.firstName)
    .input('lastName', mssql.NVarChar(100), input.lastName)
    .input('email', mssql.NVarChar(254), input.email)
    .input('actor', mssql.NVarChar(200), actor);

async function selectOne(request: mssql.Request, statement: string, id: string) {
  const { recordset } = await request.input('id', mssql.UniqueIdentifier, id).query<StudentRow>(statement);
  return recordset[0];
}

/** The key-range lock of `selectKey` serialises concurrent claimers of one key until commit. */
async function earlierAnswer(
  tx: mssql.Transaction,
  request: IdempotencyRequest,
): Promise<CreateResult | undefined> {
  const { recordset } = await tx
    .request()
    .input('scope', mssql.NVarChar(64), request.scope)
    .input('key', mssql.NVarChar(200), request.key)
    .query<{ request_hash: string; status: number; body: string }>(mssqlStudentStatements.selectKey);
  const row = recordset[0];
  if (!row) return undefined;
  return row.request_hash === request.requestHash
    ? { kind: 'replayed', status: row.status, body: row.body }
    : { kind: 'key_reused' };
}

export function createMssqlStudentStore(pool: mssql.ConnectionPool): StudentStore {
  const appendEvents = async (tx: mssql.Transaction, row: StudentRow, context: WriteContext) => {
    if (context.events) await appendToOutboxMssql(tx, producer, context.events(toStudent(row)));
  };

  return {
    create: (input, context, idempotency) =>
      inTransaction(pool, async (tx): Promise<CreateResult> => {
        const earlier = idempotency ? await earlierAnswer(tx, idempotency) : undefined;
        if (earlier) return earlier;
        const id = randomUUID();
        await withInput(tx.request(), input, context.actor)
          .input('id', mssql.UniqueIdentifier, id)
          .query(mssqlStudentStatements.insert);
        const row = (await selectOne(tx.request(), mssqlStudentStatements.selectById, id))!;
        await appendEvents(tx, row, context);
        const student = toStudent(row);
        if (idempotency) {
          await tx
            .request()
            .input('scope', mssql.NVarChar(64), idempotency.scope)
            .input('key', mssql.NVarChar(200), idempotency.key)
            .input('hash', mssql.NVarChar(64), idempotency.requestHash)
            .input('status', mssql.Int, 201)
            .input('body', mssql.NVarChar(mssql.MAX), JSON.stringify(student))
            .query(mssqlStudentStatements.insertKey);
        }
        return { kind: 'created', student };
      }),

    async get(id) {
      const row = await selectOne(pool.request(), mssqlStudentStatements.selectById, id);
      return row ? toStudent(row) : undefined;
    },

    async list({ limit, cursor }) {
      const request = pool.request().input('limit', mssql.Int, limit + 1);
      if (cursor) request.input('cursor', mssql.UniqueIdentifier, cursor);
      const { recordset } = await request.query<StudentRow>(
        cursor ? mssqlStudentStatements.listAfter : mssqlStudentStatements.listFirst,
      );
      const items = recordset.slice(0, limit).map(toStudent);
      return { items, nextCursor: recordset.length > limit ? (items.at(-1)?.id ?? null) : null };
    },

    update: (id, input, context) =>
      inTransaction(pool, async (tx) => {
        const result = await withInput(tx.request(), input, context.actor)
          .input('id', mssql.UniqueIdentifier, id)
          .query(mssqlStudentStatements.update);
        if (result.rowsAffected[0] !== 1) return undefined;
        const row = (await selectOne(tx.request(), mssqlStudentStatements.selectById, id))!;
        await appendEvents(tx, row, context);
        return toStudent(row);
      }),

    delete: (id, context) =>
      inTransaction(pool, async (tx) => {
        const row = await selectOne(tx.request(), mssqlStudentStatements.selectByIdForUpdate, id);
        if (!row) return false;
        await tx.request().input('id', mssql.UniqueIdentifier, id).query(mssqlStudentStatements.delete);
        await appendEvents(tx, row, context);
        return true;
      }),

    async ping() {
      await pool.request().query(mssqlStudentStatements.ping);
    },
    close: () => pool.close(),
  };
}
