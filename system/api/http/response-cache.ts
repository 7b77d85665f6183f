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
  /** Bytes held (bodies, keys and headers, approximately). */
  bytes(): number;
}

export interface ResponseCacheOptions {
  maxEntries: number;
  /** Upper bound on {@link ResponseCache.bytes}; the oldest entries go first (default 32 MiB). */
  maxBytes?: number;
  now?: () => number;
}

/** Map entry, object and string headers: a rough per-entry cost beyond the body, in bytes. */
const entryOverheadBytes = 256;

/** Expired entries at the front of the cache looked at per write, so a write never walks it all. */
const sweepPerWrite = 8;

const sizeOf = (key: string, r: Omit<CachedResponse, 'expiresAt'>): number =>
  entryOverheadBytes + key.length + r.body.length + r.contentType.length + (r.location?.length ?? 0);

/** In-memory (L1, per instance) response cache; cross-instance invalidation arrives via pub/sub. */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const now = options.now ?? Date.now;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const entries = new Map<string, CachedResponse & { sizeBytes: number }>();
  let totalBytes = 0;
  const byStudent = new Map<string, Set<string>>();
  const generations = new Map<string, number>();

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    totalBytes -= entry.sizeBytes;
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
      // Entries nobody asks for again would otherwise stay until evicted by size: drop the expired
      // ones at the front (oldest writes) a few at a time, on writes, with no timer to stop.
      const at = now();
      let looked = 0;
      for (const [oldKey, old] of entries) {
        if (old.expiresAt > at || ++looked > sweepPerWrite) break;
        remove(oldKey);
      }
      const entry = { ...response, expiresAt: at + ttlMs, sizeBytes: sizeOf(key, response) };
      if (entry.sizeBytes > maxBytes) return;
      remove(key);
      entries.set(key, entry);
      totalBytes += entry.sizeBytes;
      if (entry.studentId) {
        let keys = byStudent.get(entry.studentId);
        if (!keys) byStudent.set(entry.studentId, (keys = new Set()));
        keys.add(key);
      }
      while (entries.size > options.maxEntries || totalBytes > maxBytes) remove(entries.keys().next().value!);
    },
    invalidateStudent(studentId) {
      for (const key of [...(byStudent.get(studentId) ?? [])]) remove(key);
      byStudent.delete(studentId);
      generations.set(studentId, (generations.get(studentId) ?? 0) + 1);
      if (generations.size > options.maxEntries) generations.delete(generations.keys().next().value!);
    },
    generation: (studentId) => generations.get(studentId) ?? 0,
    size: () => entries.size,
    bytes: () => totalBytes,
  };
}
