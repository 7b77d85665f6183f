import type { Student } from '../../contracts/envelope.ts';

/** The worker's view of the student cache (Redis L2 + the API's L1 invalidation channel). */
export interface StudentCache {
  /**
   * Writes the student to L2 unless a newer copy is already there (more `updates`, or the same and a
   * later `lastModified`), then tells every API instance to drop its L1 copy and cached GETs.
   * @returns false when a newer copy won.
   */
  put(student: Student): Promise<boolean>;
  /**
   * Replaces the L2 copy with a tombstone for the normal TTL (so no later put can bring the student
   * back) and tells every API instance to drop its L1 copy.
   */
  evict(studentId: string): Promise<void>;
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
