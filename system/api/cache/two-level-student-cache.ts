import type { Counter } from 'prom-client';
import type { Student } from '../../../contracts/envelope.ts';
import type { Logger } from '../../shared/logger.ts';
import type { ResiliencePolicy } from '../../shared/resilience-policy.ts';
import type { StudentL2 } from './student-cache-ports.ts';

export interface StudentCacheOptions {
  /** Reads the database; called at most once per id at a time per instance. */
  load: (id: string) => Promise<Student | undefined>;
  l2: StudentL2;
  /** Redis policy (short timeout, breaker): a Redis outage makes reads go to the database. */
  policy: ResiliencePolicy;
  counter: Counter<'cache' | 'level' | 'result'>;
  logger: Pick<Logger, 'warn'>;
  /** L1 lifetime in milliseconds; cross-instance invalidation keeps it fresh (default 30,000). */
  l1TtlMs: number;
  l1MaxEntries: number;
  now?: () => number;
}

export interface StudentCache {
  get(id: string): Promise<Student | undefined>;
  /** Drops the L1 copy and makes loads in flight unable to store their (older) result. */
  invalidateLocal(id: string): void;
  /**
   * Drops the L1 copy and the shared L2 entry (errors swallowed: a write must not fail on Redis).
   * `'deleted'` leaves a tombstone in L2 instead, so a late cache write cannot revive the student.
   */
  invalidate(id: string, change?: 'updated' | 'deleted'): Promise<void>;
}

/**
 * Memory L1 + Redis L2 with stampede protection: concurrent misses for one id share one loader
 * (so 1,000 cold reads cost one L2 lookup and at most one database read per instance). Misses
 * (not found) are not cached. Redis errors count as `result="error"` and fall through to the DB.
 */
export function createTwoLevelStudentCache(options: StudentCacheOptions): StudentCache {
  const { load, l2, policy, counter, l1TtlMs, l1MaxEntries } = options;
  const now = options.now ?? Date.now;
  const l1 = new Map<string, { student: Student; expiresAt: number }>();
  const loading = new Map<string, Promise<Student | undefined>>();
  const generations = new Map<string, number>();
  const count = {
    l1Hit: counter.labels({ cache: 'student', level: 'l1', result: 'hit' }),
    l1Miss: counter.labels({ cache: 'student', level: 'l1', result: 'miss' }),
    l2Hit: counter.labels({ cache: 'student', level: 'l2', result: 'hit' }),
    l2Miss: counter.labels({ cache: 'student', level: 'l2', result: 'miss' }),
    l2Error: counter.labels({ cache: 'student', level: 'l2', result: 'error' }),
  };

  const remember = (student: Student) => {
    if (l1TtlMs <= 0) return;
    l1.delete(student.id);
    l1.set(student.id, { student, expiresAt: now() + l1TtlMs });
    if (l1.size > l1MaxEntries) l1.delete(l1.keys().next().value!);
  };

  const fromL2 = async (id: string) => {
    try {
      const student = await policy.execute(() => l2.get(id));
      (student ? count.l2Hit : count.l2Miss).inc();
      return student;
    } catch {
      count.l2Error.inc();
      return undefined;
    }
  };

  async function loadThrough(id: string): Promise<Student | undefined> {
    const generation = generations.get(id) ?? 0;
    const cached = await fromL2(id);
    if (cached === 'deleted') return undefined;
    let student = cached;
    const fromDatabase = !student;
    student ??= await load(id);
    if (!student || (generations.get(id) ?? 0) !== generation) return student;
    remember(student);
    if (fromDatabase) {
      policy.execute(() => l2.set(student)).catch(() => count.l2Error.inc());
    }
    return student;
  }

  const invalidateLocal = (id: string) => {
    l1.delete(id);
    loading.delete(id);
    generations.set(id, (generations.get(id) ?? 0) + 1);
    if (generations.size > l1MaxEntries) generations.delete(generations.keys().next().value!);
  };

  return {
    get(id) {
      const entry = l1.get(id);
      if (entry && entry.expiresAt > now()) {
        count.l1Hit.inc();
        return Promise.resolve(entry.student);
      }
      count.l1Miss.inc();
      let pending = loading.get(id);
      if (!pending) {
        pending = loadThrough(id).finally(() => loading.delete(id));
        loading.set(id, pending);
      }
      return pending;
    },
    invalidateLocal,
    async invalidate(id, change = 'updated') {
      invalidateLocal(id);
      const drop = () => (change === 'deleted' ? l2.tombstone(id) : l2.delete(id));
      await policy.execute(drop).catch(() => count.l2Error.inc());
    },
  };
}
