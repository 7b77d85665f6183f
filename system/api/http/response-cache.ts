/** A successful response kept for the route's window. */
export interface CachedResponse {
  status: number;
  contentType: string;
  location: string | undefined;
  body: Buffer;
  /** Epoch milliseconds. */
  expiresAt: number;
  studentId: string | undefined;
}

export interface ResponseCache {
  get(key: string): CachedResponse | undefined;
  /** Keeps `response` for `ttlMs` milliseconds on this cache's clock. */
  set(key: string, response: Omit<CachedResponse, 'expiresAt'>, ttlMs: number): void;
  /** Drops every cached response about the student and bumps its generation. */
  invalidateStudent(studentId: string): void;
  /** Changes whenever the student is invalidated: a GET that began before a write must not be cached. */
  generation(studentId: string): number;
  size(): number;
}

/** In-memory (L1, per instance) response cache; cross-instance invalidation arrives via pub/sub. */
export function createResponseCache(options: { maxEntries: number; now?: () => number }): ResponseCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, CachedResponse>();
  const byStudent = new Map<string, Set<string>>();
  const generations = new Map<string, number>();

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    const keys = entry.studentId ? byStudent.get(entry.studentId) : undefined;
    keys?.delete(key);
    if (keys?.size === 0) byStudent.delete(entry.studentId!);
  };

  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt > now()) return entry;
      remove(key);
      return undefined;
    },
    set(key, response, ttlMs) {
      const entry: CachedResponse = { ...response, expiresAt: now() + ttlMs };
      remove(key);
      entries.set(key, entry);
      if (entry.studentId) {
        let keys = byStudent.get(entry.studentId);
        if (!keys) byStudent.set(entry.studentId, (keys = new Set()));
        keys.add(key);
      }
      if (entries.size > options.maxEntries) remove(entries.keys().next().value!);
    },
    invalidateStudent(studentId) {
      for (const key of byStudent.get(studentId) ?? []) entries.delete(key);
      byStudent.delete(studentId);
      generations.set(studentId, (generations.get(studentId) ?? 0) + 1);
      if (generations.size > options.maxEntries) generations.delete(generations.keys().next().value!);
    },
    generation: (studentId) => generations.get(studentId) ?? 0,
    size: () => entries.size,
  };
}
