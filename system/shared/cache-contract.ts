/**
 * What the API and the worker agree on about the student cache: the Redis (L2) key
 * of a student, and the pub/sub channel on which any writer tells every API instance to drop its
 * in-memory (L1) copy and its cached GET responses for that student.
 */
export const studentCacheKey = (id: string): string => `student:${id}`;

/** Seconds a student stays in Redis (L2). */
export const studentCacheTtlSec = 300;

export const cacheInvalidationChannel = 'cache:invalidate';

/**
 * What a delete leaves under the student's key for the normal TTL instead of deleting it, so a cache
 * write still in flight for an earlier event cannot bring the deleted student back (a missing key
 * would let the worker's put-if-newer write). Its `updates` is 2^53 − 1 (exact as a Lua double), so
 * every put-if-newer comparison keeps it; readers treat it as "not found". Ids are server-generated
 * uuids, so no student is ever re-created under a tombstoned key: only the TTL removes it.
 */
export interface StudentTombstone {
  id: string;
  deleted: true;
  updates: number;
}

export const studentTombstoneUpdates = Number.MAX_SAFE_INTEGER;

export const studentTombstone = (id: string): string =>
  JSON.stringify({ id, deleted: true, updates: studentTombstoneUpdates } satisfies StudentTombstone);

/** True for a parsed cache value that is a tombstone (never a student). */
export const isTombstone = (value: unknown): value is StudentTombstone =>
  typeof value === 'object' && value !== null && (value as { deleted?: unknown }).deleted === true;

/** Lua for scripts that must leave a tombstone alone: `is_tombstone(raw)`, the rule of isTombstone. */
export const luaIsTombstone = `
local function is_tombstone(raw)
  if not raw then return false end
  local ok, value = pcall(cjson.decode, raw)
  return ok and type(value) == 'table' and value.deleted == true
end`;

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
