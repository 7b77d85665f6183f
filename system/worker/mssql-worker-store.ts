import mssql from 'mssql';
import { AppError, NonRetryableError } from '../shared/errors.ts';
import { appendToOutbox } from '../shared/outbox/append-to-outbox.ts';
import type { ResiliencePolicy } from '../shared/resilience-policy.ts';
import { toStudent, type StudentRow } from '../shared/student-row.ts';
import { workerProducer, type ApplyUpdateResult, type WorkerStore } from './worker-store.ts';

const studentColumns =
  'id, first_name, last_name, email, updates, created, created_by, last_modified, last_modified_by';

/** Every T-SQL statement of this adapter; the unit suite parses each with a T-SQL parser. */
export const mssqlWorkerStatements = {
  // UPDLOCK + HOLDLOCK: a concurrent duplicate waits on the key range instead of racing past NOT EXISTS.
  claim: `INSERT INTO processed_messages (message_id, message_type, stage) SELECT @messageId, @messageType, @stage WHERE NOT EXISTS (SELECT 1 FROM processed_messages WITH (UPDLOCK, HOLDLOCK) WHERE message_id = @messageId)`,
  stageOf: `SELECT stage FROM processed_messages WHERE message_id = @messageId`,
  increment: `UPDATE students SET updates = updates + 1, last_modified = SYSDATETIMEOFFSET(), last_modified_by = @by WHERE id = @id`,
  selectStudent: `SELECT ${studentColumns} FROM students WHERE id = @id`,
  markDone: `UPDATE processed_messages SET stage = 'done', completed_at = SYSDATETIMEOFFSET() WHERE message_id = @messageId AND stage = 'effect_committed'`,
  ping: `SELECT 1 AS ok`,
} as const;

/** Error numbers retrying cannot fix: duplicate key, conversion failures, constraint violations. */
const permanentErrorNumbers = new Set([2601, 2627, 245, 8114, 547, 8152]);

export function translateMssqlError(error: unknown): Error {
  if (error instanceof AppError || error instanceof NonRetryableError) return error;
  const number = (error as { number?: unknown } | null)?.number;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof number === 'number' && permanentErrorNumbers.has(number)) {
    return new NonRetryableError(`database rejected the message: ${message} (${number})`, { cause: error });
  }
  return new AppError('dependency_unavailable', { detail: `database: ${message}`, cause: error });
}

export interface MssqlWorkerStoreOptions {
  pool: mssql.ConnectionPool;
  policy: ResiliencePolicy;
}

export function createMssqlWorkerStore({ pool, policy }: MssqlWorkerStoreOptions): WorkerStore {
  const inTransaction = <T>(fn: (tx: mssql.Transaction) => Promise<T>): Promise<T> =>
    policy.execute(async () => {
      const tx = new mssql.Transaction(pool);
      try {
        await tx.begin();
        const result = await fn(tx);
        await tx.commit();
        return result;
      } catch (error) {
        await tx.rollback().catch(() => undefined);
        throw translateMssqlError(error);
      }
    });

  const claim = async (tx: mssql.Transaction, messageId: string, type: string, stage: string) => {
    const result = await tx
      .request()
      .input('messageId', mssql.NVarChar(100), messageId)
      .input('messageType', mssql.NVarChar(50), type)
      .input('stage', mssql.NVarChar(20), stage)
      .query(mssqlWorkerStatements.claim);
    return result.rowsAffected[0] === 1;
  };
  const selectStudent = async (tx: mssql.Transaction, id: string) => {
    const result = await tx
      .request()
      .input('id', mssql.UniqueIdentifier, id)
      .query<StudentRow>(mssqlWorkerStatements.selectStudent);
    const row = result.recordset[0];
    return row && toStudent(row);
  };
  const markDone = async (tx: mssql.Transaction, messageId: string) =>
    (
      await tx
        .request()
        .input('messageId', mssql.NVarChar(100), messageId)
        .query(mssqlWorkerStatements.markDone)
    ).rowsAffected[0] === 1;

  return {
    applyUpdate: (input) =>
      inTransaction(async (tx): Promise<ApplyUpdateResult> => {
        if (!(await claim(tx, input.messageId, input.messageType, 'effect_committed'))) {
          const seen = await tx
            .request()
            .input('messageId', mssql.NVarChar(100), input.messageId)
            .query<{ stage: string }>(mssqlWorkerStatements.stageOf);
          if (seen.recordset[0]?.stage === 'done') return { outcome: 'duplicate' };
          return { outcome: 'resume', student: await selectStudent(tx, input.studentId) };
        }
        const updated = await tx
          .request()
          .input('id', mssql.UniqueIdentifier, input.studentId)
          .input('by', mssql.NVarChar(200), workerProducer)
          .query(mssqlWorkerStatements.increment);
        const student = updated.rowsAffected[0] === 1 ? await selectStudent(tx, input.studentId) : undefined;
        if (!student) {
          await markDone(tx, input.messageId);
          return { outcome: 'not_found' };
        }
        await appendToOutbox(tx, workerProducer, input.notificationsFor(student));
        return { outcome: 'applied', student };
      }),
    completeMessage: (input) =>
      inTransaction(async (tx) => {
        if (!(await markDone(tx, input.messageId))) return false;
        await appendToOutbox(tx, workerProducer, input.notifications);
        return true;
      }),
    recordMessage: (input) =>
      inTransaction(async (tx) => {
        if (!(await claim(tx, input.messageId, input.messageType, 'done'))) return false;
        await appendToOutbox(tx, workerProducer, input.notifications);
        return true;
      }),
    ping: async () => void (await pool.request().query(mssqlWorkerStatements.ping)),
    close: () => pool.close(),
  };
}
