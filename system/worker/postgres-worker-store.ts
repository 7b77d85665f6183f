import type pg from 'pg';
import { AppError, NonRetryableError } from '../shared/errors.ts';
import { appendToOutbox } from '../shared/outbox/append-to-outbox.ts';
import type { ResiliencePolicy } from '../shared/resilience-policy.ts';
import { withTransaction } from '../shared/postgres-pool.ts';
import { toStudent, type StudentRow } from '../shared/student-row.ts';
import { createGroupBatcher } from '../shared/group-batcher.ts';
import type { Student } from '../../contracts/envelope.ts';
import {
  workerProducer,
  type ApplyUpdateInput,
  type ApplyUpdateResult,
  type CompleteMessageInput,
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
  /**
   * The batch form: claims every message, then adds to each student as many increments as it has
   * newly claimed messages. Returns the claimed ids and each incremented row (its final value).
   */
  claimAndIncrementBatch: `with input as (
      select * from unnest($1::text[], $2::text[], $3::uuid[]) with ordinality as t(message_id, message_type, student_id, ord)
    ), claim as (
      insert into processed_messages (message_id, message_type, stage)
      select message_id, message_type, 'effect_committed' from input order by ord
      on conflict (message_id) do nothing returning message_id
    ), counts as (
      select i.student_id, count(*)::int as n from input i join claim c on c.message_id = i.message_id
      group by i.student_id
    ), updated as (
      update students s set updates = s.updates + counts.n, last_modified = now(), last_modified_by = $4
      from counts where s.id = counts.student_id returning s.*
    )
    select (select coalesce(array_agg(message_id), '{}') from claim) as claimed, updated.*
    from (select 1) as one left join updated on true`,
  markDoneBatch: `update processed_messages set stage = 'done', completed_at = now()
                  where message_id = any($1::text[]) and stage = 'effect_committed'`,
  /** The batch form of completeAndAppend: each notification belongs to one message ($7, owner). */
  completeAndAppendBatch: `with done as (
      update processed_messages set stage = 'done', completed_at = now()
      where message_id = any($1::text[]) and stage = 'effect_committed' returning message_id
    ), appended as (
      insert into outbox (producer, exchange, routing_key, message_id, envelope)
      select $2, e, r, m, j::json
      from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) with ordinality as t(e, r, m, j, owner, ord)
      where owner in (select message_id from done) order by ord
    )
    select coalesce(array_agg(message_id), '{}') as done from done`,
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
  /** Largest group of concurrent messages sharing one transaction (default 50; 1 turns batching off). */
  maxBatch?: number;
  /** Called with the size of every group that ran (metrics). */
  onBatch?: (step: 'apply' | 'complete', size: number) => void;
}

/**
 * The worker's PostgreSQL adapter. Messages handled at the same time (prefetch > 1) share their
 * transactions: while one group's transaction runs, the next calls wait and then run together
 * (group commit, {@link createGroupBatcher}), so a message costs a fraction of a round trip and of
 * a WAL flush instead of one of each. A lone message (prefetch 1) runs at once, alone. One group
 * runs at a time per step, so groups never lock the same students in different orders.
 */
export function createPostgresWorkerStore(options: PostgresWorkerStoreOptions): WorkerStore {
  const { pool, policy, maxBatch = 50 } = options;
  const inTransaction = <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
    policy.execute(() =>
      withTransaction(pool, fn).catch((error: unknown) => Promise.reject(translatePostgresError(error))),
    );

  /** One autocommitted statement through the policy (atomic on its own; no begin/commit round trips). */
  const statement = <R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]) =>
    policy.execute(async () => {
      try {
        return await pool.query<R>({ name, text, values });
      } catch (error) {
        throw translatePostgresError(error);
      }
    });

  /** The single claim: 1 when claimed now, with the incremented row (null columns: no such student). */
  type ClaimRow = Partial<StudentRow> & { claimed: number };
  /** The group claim: the ids claimed now on every row, plus one incremented row per student. */
  type GroupClaimRow = Partial<StudentRow> & { claimed: string[] };

  const applyOne = (input: ApplyUpdateInput): Promise<ApplyUpdateResult> =>
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
    });

  const completeOne = async (input: CompleteMessageInput): Promise<boolean> => {
    const { rows } = await statement<{ done: number }>(
      'worker_complete_and_append',
      postgresWorkerStatements.completeAndAppend,
      [input.messageId, workerProducer, ...outboxArrays(input.notifications)],
    );
    return rows[0]?.done === 1;
  };

  /** Claims and increments a group in one transaction; messages it did not claim go through {@link applyOne}. */
  const applyGroup = async (inputs: ApplyUpdateInput[]): Promise<(ApplyUpdateResult | Error)[]> => {
    const one = (input: ApplyUpdateInput) => applyOne(input).catch((error: unknown) => error as Error);
    if (inputs.length === 1) return [await one(inputs[0]!)];
    // A message delivered twice within the group: only its first copy takes part.
    const firstOf = new Map<string, number>();
    inputs.forEach((input, i) => firstOf.has(input.messageId) || firstOf.set(input.messageId, i));
    const members = [...firstOf.values()].map((i) => inputs[i]!);
    let results: (ApplyUpdateResult | undefined)[];
    try {
      results = await inTransaction(async (client) => {
        const { rows } = await client.query<GroupClaimRow>({
          name: 'worker_claim_and_increment_batch',
          text: postgresWorkerStatements.claimAndIncrementBatch,
          values: [
            members.map((m) => m.messageId),
            members.map((m) => m.messageType),
            members.map((m) => m.studentId),
            workerProducer,
          ],
        });
        const claimed = new Set(rows[0]?.claimed ?? []);
        const final = new Map<string, Student>();
        for (const row of rows) if (row.id) final.set(row.id, toStudent(row as StudentRow));
        // Each student's claimed messages, in group order, see updates = final − n + 1 … final.
        const claimedPerStudent = new Map<string, number>();
        for (const m of members)
          if (claimed.has(m.messageId))
            claimedPerStudent.set(m.studentId, (claimedPerStudent.get(m.studentId) ?? 0) + 1);
        const seen = new Map<string, number>();
        const notFound: string[] = [];
        const notifications: OutboxMessage[] = [];
        const out = inputs.map((input, i): ApplyUpdateResult | undefined => {
          if (firstOf.get(input.messageId) !== i || !claimed.has(input.messageId)) return undefined;
          const student = final.get(input.studentId);
          if (!student) {
            notFound.push(input.messageId);
            return { outcome: 'not_found' };
          }
          const k = (seen.get(input.studentId) ?? 0) + 1;
          seen.set(input.studentId, k);
          const snapshot = {
            ...student,
            updates: student.updates - (claimedPerStudent.get(input.studentId) ?? 0) + k,
          };
          notifications.push(...input.notificationsFor(snapshot));
          return { outcome: 'applied', student: snapshot };
        });
        if (notFound.length > 0)
          await client.query({
            name: 'worker_mark_done_batch',
            text: postgresWorkerStatements.markDoneBatch,
            values: [notFound],
          });
        await appendToOutbox(client, workerProducer, notifications);
        return out;
      });
    } catch {
      // One message may be what fails the group (bad data): each then runs, and fails, on its own.
      return Promise.all(inputs.map(one));
    }
    // Not claimed here: already processed (duplicate) or left half-done (resume); applyOne tells.
    return Promise.all(inputs.map((input, i) => Promise.resolve(results[i] ?? one(input))));
  };

  /** Completes a group in one statement; each message gets true when it was completed here. */
  const completeGroup = async (inputs: CompleteMessageInput[]): Promise<(boolean | Error)[]> => {
    const one = (input: CompleteMessageInput) => completeOne(input).catch((error: unknown) => error as Error);
    const ids = inputs.map((i) => i.messageId);
    if (inputs.length === 1 || new Set(ids).size !== ids.length) return Promise.all(inputs.map(one));
    const notes = inputs.flatMap((input) => input.notifications.map((n) => ({ owner: input.messageId, n })));
    try {
      const { rows } = await statement<{ done: string[] }>(
        'worker_complete_and_append_batch',
        postgresWorkerStatements.completeAndAppendBatch,
        [ids, workerProducer, ...outboxArrays(notes.map((x) => x.n)), notes.map((x) => x.owner)],
      );
      const done = new Set(rows[0]?.done ?? []);
      return ids.map((id) => done.has(id));
    } catch {
      return Promise.all(inputs.map(one));
    }
  };

  const groups = {
    apply: createGroupBatcher({
      run: applyGroup,
      maxBatch,
      lanes: 1,
      onBatch: (size) => options.onBatch?.('apply', size),
    }),
    complete: createGroupBatcher({
      run: completeGroup,
      maxBatch,
      lanes: 1,
      onBatch: (size) => options.onBatch?.('complete', size),
    }),
  };

  return {
    applyUpdate: (input) => (maxBatch > 1 ? groups.apply.submit(input) : applyOne(input)),
    completeMessage: (input) => (maxBatch > 1 ? groups.complete.submit(input) : completeOne(input)),
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
