/**
 * What the API and the worker agree on about the student cache (DESIGN §2.1): the Redis (L2) key
 * of a student, and the pub/sub channel on which any writer tells every API instance to drop its
 * in-memory (L1) copy and its cached GET responses for that student.
 */
export const studentCacheKey = (id: string): string => `student:${id}`;

/** Seconds a student stays in Redis (L2). */
export const studentCacheTtlSec = 300;

export const cacheInvalidationChannel = 'cache:invalidate';

export interface CacheInvalidation {
  /** The student whose cached copies and GET responses are stale. */
  studentId: string;
  /** Instance id of the publisher, so it can skip its own message. */
  origin: string;
}

export const encodeInvalidation = (message: CacheInvalidation): string => JSON.stringify(message);

export function decodeInvalidation(raw: string): CacheInvalidation | undefined {
  try {
    const value = JSON.parse(raw) as Partial<CacheInvalidation>;
    return typeof value.studentId === 'string' && typeof value.origin === 'string'
      ? { studentId: value.studentId, origin: value.origin }
      : undefined;
  } catch {
    return undefined;
  }
}
