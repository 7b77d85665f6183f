import type pg from 'pg';
import { AppError, NonRetryableError } from '../shared/errors.ts';
import { appendToOutbox } from '../shared/outbox/append-to-outbox.ts';
import type { ResiliencePolicy } from '../shared/resilience-policy.ts';
import { runPolicy } from './run-policy.ts';
import { toStudent, type StudentRow } from '../shared/student-row.ts';
import { workerProducer, type ApplyUpdateResult, type WorkerStore } from './worker-store.ts';

/** Every statement of this adapter, in one place so a reader sees the whole protocol. */
export const postgresWorkerStatements = {
  claim: `insert into processed_messages (message_id, message_type, stage) values ($1, $2, $3)
          on conflict (message_id) do nothing`,
  stageOf: `select stage from processed_messages where message_id = $1`,
  increment: `update students set updates = updates + 1, last_modified = now(), last_modified_by = $2
              where id = $1 returning *`,
  selectStudent: `select * from students where id = $1`,
  markDone: `update processed_messages set stage = 'done', completed_at = now()
             where message_id = $1 and stage = 'effect_committed'`,
} as const;

/** SQLSTATE classes that retrying cannot fix: bad data (22), constraint violations (23). */
const permanentSqlState = /^2[23]/;

/** Driver errors → ours: bad input is non-retryable, everything else means the database is unavailable. */
export function translatePostgresError(error: unknown): Error {
  if (error instanceof AppError || error instanceof NonRetryableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && permanentSqlState.test(code)) {
    return new NonRetryableError(`database rejected the message: ${message} (${code})`, { cause: error });
  }
  return new AppError('dependency_unavailable', { detail: `database: ${message}`, cause: error });
}

export interface PostgresWorkerStoreOptions {
  pool: pg.Pool;
  /** The `db` policy: every transaction runs through retry → breaker → timeout. */
  policy: ResiliencePolicy;
}

export function createPostgresWorkerStore({ pool, policy }: PostgresWorkerStoreOptions): WorkerStore {
  const inTransaction = <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
    runPolicy(policy, async () => {
      const client = await pool.connect().catch((e: unknown) => Promise.reject(translatePostgresError(e)));
      try {
        await client.query('begin');
        const result = await fn(client);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw translatePostgresError(error);
      } finally {
        client.release();
      }
    });

  const claim = async (client: pg.PoolClient, messageId: string, type: string, stage: string) =>
    (await client.query(postgresWorkerStatements.claim, [messageId, type, stage])).rowCount === 1;

  return {
    applyUpdate: (input) =>
      inTransaction(async (client): Promise<ApplyUpdateResult> => {
        if (!(await claim(client, input.messageId, input.messageType, 'effect_committed'))) {
          const seen = await client.query<{ stage: string }>(postgresWorkerStatements.stageOf, [
            input.messageId,
          ]);
          if (seen.rows[0]?.stage === 'done') return { outcome: 'duplicate' };
          const current = await client.query<StudentRow>(postgresWorkerStatements.selectStudent, [
            input.studentId,
          ]);
          return { outcome: 'resume', student: current.rows[0] && toStudent(current.rows[0]) };
        }
        const updated = await client.query<StudentRow>(postgresWorkerStatements.increment, [
          input.studentId,
          workerProducer,
        ]);
        const row = updated.rows[0];
        if (!row) {
          await client.query(postgresWorkerStatements.markDone, [input.messageId]);
          return { outcome: 'not_found' };
        }
        const student = toStudent(row);
        await appendToOutbox(client, workerProducer, input.notificationsFor(student));
        return { outcome: 'applied', student };
      }),
    completeMessage: (input) =>
      inTransaction(async (client) => {
        const done = await client.query(postgresWorkerStatements.markDone, [input.messageId]);
        if (done.rowCount !== 1) return false;
        await appendToOutbox(client, workerProducer, input.notifications);
        return true;
      }),
    recordMessage: (input) =>
      inTransaction(async (client) => {
        if (!(await claim(client, input.messageId, input.messageType, 'done'))) return false;
        await appendToOutbox(client, workerProducer, input.notifications);
        return true;
      }),
    ping: async () => void (await pool.query('select 1')),
    close: () => pool.end(),
  };
}
