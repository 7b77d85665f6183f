import type pg from 'pg';
import { AppError, NonRetryableError } from '../shared/errors.ts';
import { appendToOutbox } from '../shared/outbox/append-to-outbox.ts';
import type { ResiliencePolicy } from '../shared/resilience-policy.ts';
import { runPolicy } from './run-policy.ts';
import { toStudent, type StudentRow } from '../shared/student-row.ts';
import {
  workerProducer,
  type ApplyUpdateResult,
  type OutboxMessage,
  type WorkerStore,
} from './worker-store.ts';

/** Appends outbox rows $n… only when the CTE named `gate` produced a row (same statement, same commit). */
const outboxWhen = (gate: string, first: number) =>
  `insert into outbox (producer, exchange, routing_key, message_id, envelope)
   select $${first}, e, r, m, j::json
   from unnest($${first + 1}::text[], $${first + 2}::text[], $${first + 3}::text[], $${first + 4}::text[]) as t(e, r, m, j)
   where exists (select 1 from ${gate})`;

/**
 * Every statement of this adapter, in one place so a reader sees the whole protocol. The hot ones
 * are named (prepared once per connection: PostgreSQL skips parsing and planning them again). Each step is
 * as few round trips as PostgreSQL allows (each one is a write syscall and a wake-up on both sides,
 * the worker's main cost per message): a claim and its increment are one statement; completing or
 * recording a message and appending its notifications are one statement (atomic on its own).
 */
export const postgresWorkerStatements = {
  /** Claims the message and increments the student only when the claim is new. */
  claimAndIncrement: `with claim as (
      insert into processed_messages (message_id, message_type, stage) values ($1, $2, 'effect_committed')
      on conflict (message_id) do nothing returning message_id
    ), updated as (
      update students set updates = updates + 1, last_modified = now(), last_modified_by = $4
      where id = $3 and exists (select 1 from claim) returning *
    )
    select (select count(*) from claim)::int as claimed, updated.* from (select 1) as one
    left join updated on true`,
  stageOf: `select stage from processed_messages where message_id = $1`,
  selectStudent: `select * from students where id = $1`,
  markDone: `update processed_messages set stage = 'done', completed_at = now()
             where message_id = $1 and stage = 'effect_committed'`,
  /** 'effect_committed' → 'done' plus the notifications, once. */
  completeAndAppend: `with done as (
      update processed_messages set stage = 'done', completed_at = now()
      where message_id = $1 and stage = 'effect_committed' returning message_id
    ), appended as (${outboxWhen('done', 2)})
    select count(*)::int as done from done`,
  /** A message with no database effect: claimed as 'done' plus its notifications, once. */
  recordAndAppend: `with claim as (
      insert into processed_messages (message_id, message_type, stage) values ($1, $2, 'done')
      on conflict (message_id) do nothing returning message_id
    ), appended as (${outboxWhen('claim', 3)})
    select count(*)::int as claimed from claim`,
} as const;

/** The four unnest arrays of {@link outboxWhen}, after the producer. */
function outboxArrays(messages: readonly OutboxMessage[]): string[][] {
  return [
    messages.map((m) => m.exchange),
    messages.map((m) => m.routingKey),
    messages.map((m) => m.envelope.messageId),
    messages.map((m) => JSON.stringify(m.envelope)),
  ];
}

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

  /** One autocommitted statement through the policy (atomic on its own; no begin/commit round trips). */
  const statement = <R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]) =>
    runPolicy(policy, async () => {
      try {
        return await pool.query<R>({ name, text, values });
      } catch (error) {
        throw translatePostgresError(error);
      }
    });

  type ClaimRow = Partial<StudentRow> & { claimed: number };

  return {
    applyUpdate: (input) =>
      inTransaction(async (client): Promise<ApplyUpdateResult> => {
        const { rows } = await client.query<ClaimRow>({
          name: 'worker_claim_and_increment',
          text: postgresWorkerStatements.claimAndIncrement,
          values: [input.messageId, input.messageType, input.studentId, workerProducer],
        });
        const claimed = rows[0];
        if (!claimed?.claimed) {
          const seen = await client.query<{ stage: string }>(postgresWorkerStatements.stageOf, [
            input.messageId,
          ]);
          if (seen.rows[0]?.stage === 'done') return { outcome: 'duplicate' };
          const current = await client.query<StudentRow>(postgresWorkerStatements.selectStudent, [
            input.studentId,
          ]);
          return { outcome: 'resume', student: current.rows[0] && toStudent(current.rows[0]) };
        }
        if (claimed.id === null || claimed.id === undefined) {
          await client.query(postgresWorkerStatements.markDone, [input.messageId]);
          return { outcome: 'not_found' };
        }
        const student = toStudent(claimed as StudentRow);
        await appendToOutbox(client, workerProducer, input.notificationsFor(student));
        return { outcome: 'applied', student };
      }),
    completeMessage: async (input) => {
      const { rows } = await statement<{ done: number }>(
        'worker_complete_and_append',
        postgresWorkerStatements.completeAndAppend,
        [input.messageId, workerProducer, ...outboxArrays(input.notifications)],
      );
      return rows[0]?.done === 1;
    },
    recordMessage: async (input) => {
      const { rows } = await statement<{ claimed: number }>(
        'worker_record_and_append',
        postgresWorkerStatements.recordAndAppend,
        [input.messageId, input.messageType, workerProducer, ...outboxArrays(input.notifications)],
      );
      return rows[0]?.claimed === 1;
    },
    ping: async () => void (await pool.query('select 1')),
    close: () => pool.end(),
  };
}
