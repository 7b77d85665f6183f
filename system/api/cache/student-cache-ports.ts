import type { Student } from '../../../contracts/envelope.ts';

/** Shared second level (Redis), used by every API instance and the worker. */
export interface StudentL2 {
  /** `'deleted'`: a tombstone (cache-contract.ts) — the student is gone, no need to ask the database. */
  get(id: string): Promise<Student | 'deleted' | undefined>;
  /** Never replaces a tombstone. */
  set(student: Student): Promise<void>;
  /** Drops a stale copy; never removes a tombstone. */
  delete(id: string): Promise<void>;
  /** Leaves a tombstone for the normal TTL, so no late cache write can bring the student back. */
  tombstone(id: string): Promise<void>;
  ping(): Promise<void>;
}

/** Tells every API instance to drop its in-memory copies of a student (cache-contract.ts). */
export interface InvalidationBus {
  publish(studentId: string): Promise<void>;
  /** `listener` gets invalidations from other instances and from the worker, never our own. */
  subscribe(listener: (studentId: string) => void): void;
  close(): Promise<void>;
}
