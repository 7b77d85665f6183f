import type { Student } from '../../contracts/envelope.ts';
import type { OutboxMessage } from '../shared/outbox/outbox-store.ts';

export type { OutboxMessage } from '../shared/outbox/outbox-store.ts';

/** Who the worker writes into `last_modified_by`, and its producer name in the outbox. */
export const workerProducer = 'worker';

export interface ApplyUpdateInput {
  /** The consumed message's id: recorded in `processed_messages` with the effect. */
  messageId: string;
  messageType: string;
  studentId: string;
  /** Builds the notifications to append, from the row as the increment left it. */
  notificationsFor: (student: Student) => OutboxMessage[];
}

export type ApplyUpdateResult =
  /** Claimed now: `updates` incremented, notifications appended, all committed together. */
  | { outcome: 'applied'; student: Student }
  /**
   * The effect committed on an earlier delivery that never finished (crash, cache-step failure):
   * the caller resumes at the cache step. `student` is the current row (undefined once deleted).
   */
  | { outcome: 'resume'; student: Student | undefined }
  /** Already fully processed: nothing happens. */
  | { outcome: 'duplicate' }
  /** No such student: the message is recorded as done, with no effect. */
  | { outcome: 'not_found' };

export interface RecordMessageInput {
  messageId: string;
  messageType: string;
  notifications: OutboxMessage[];
}

export interface CompleteMessageInput {
  messageId: string;
  notifications: OutboxMessage[];
}

/**
 * What the handlers need from the database (postgres-worker-store.ts, mssql-worker-store.ts).
 * Every method is one transaction; notifications go to the shared outbox inside it.
 */
export interface WorkerStore {
  applyUpdate(input: ApplyUpdateInput): Promise<ApplyUpdateResult>;
  /**
   * Moves a message from 'effect_committed' to 'done' and appends `notifications`, once: returns
   * false (appending nothing) when another delivery completed it first.
   */
  completeMessage(input: CompleteMessageInput): Promise<boolean>;
  /** Records a message with no database effect as done, with its notifications; false = duplicate. */
  recordMessage(input: RecordMessageInput): Promise<boolean>;
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
