import type { Student } from '../../../contracts/envelope.ts';
import type { OutboxMessage } from '../../shared/outbox/outbox-store.ts';

export type { Student } from '../../../contracts/envelope.ts';

/** Validated, trimmed fields a caller may set. */
export interface StudentInput {
  firstName: string;
  lastName: string;
  email: string;
}

export interface WriteContext {
  /** Who writes (audit columns). */
  actor: string;
  /**
   * Events describing the write; appended to the outbox in the write's own transaction. Omitted in
   * `PUBLISH_MODE=direct`, where the caller publishes after the commit instead.
   */
  events?: (student: Student) => OutboxMessage[];
}

export interface IdempotencyRequest {
  /** Caller identity hash: two callers never share a key. */
  scope: string;
  key: string;
  /** Hash of the request body: reusing a key with another body is refused. */
  requestHash: string;
}

export type CreateResult =
  | { kind: 'created'; student: Student }
  | { kind: 'replayed'; status: number; body: string }
  | { kind: 'key_reused' };

export interface StudentPage {
  items: Student[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * The API's storage port (adapters: postgres-student-store.ts, mssql-student-store.ts). Every write
 * runs in one transaction with its outbox rows. The API never writes `updates`: the worker alone
 * increments it, with `updates = updates + 1` in SQL, so no API write can lose an increment.
 */
export interface StudentStore {
  create(input: StudentInput, context: WriteContext, idempotency?: IdempotencyRequest): Promise<CreateResult>;
  get(id: string): Promise<Student | undefined>;
  list(options: { limit: number; cursor?: string | undefined }): Promise<StudentPage>;
  /** Changes names and email only; undefined when the student does not exist. */
  update(id: string, input: StudentInput, context: WriteContext): Promise<Student | undefined>;
  /** False when the student did not exist; `events` receives the deleted row. */
  delete(id: string, context: WriteContext): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export { studentColumns, toStudent, type StudentRow } from '../../shared/student-row.ts';
