import type { Student } from '../../shared/envelope.ts';

/** Shared second level (Redis), used by every API instance and the worker. */
export interface StudentL2 {
  get(id: string): Promise<Student | undefined>;
  set(student: Student): Promise<void>;
  delete(id: string): Promise<void>;
  ping(): Promise<void>;
}

/** Tells every API instance to drop its in-memory copies of a student (cache-contract.ts). */
export interface InvalidationBus {
  publish(studentId: string): Promise<void>;
  /** `listener` gets invalidations from other instances and from the worker, never our own. */
  subscribe(listener: (studentId: string) => void): void;
  close(): Promise<void>;
}
