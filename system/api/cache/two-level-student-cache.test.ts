import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Student } from '../../../contracts/envelope.ts';
import { createLogger } from '../../shared/logger.ts';
import { createNoopPolicy } from '../../shared/resilience-policy.ts';
import type { StudentL2 } from './student-cache-ports.ts';
import { createTwoLevelStudentCache } from './two-level-student-cache.ts';

const student = (id: string, firstName = 'A'): Student => ({
  id,
  firstName,
  lastName: 'B',
  email: 'a@b.co',
  fullName: `${firstName} B`,
  updates: 0,
  created: '2026-01-01T00:00:00.000Z',
  createdBy: 'x',
  lastModified: '2026-01-01T00:00:00.000Z',
  lastModifiedBy: 'x',
});

function setup(options: { l2Down?: boolean } = {}) {
  const l2Store = new Map<string, Student | 'deleted'>();
  const l2: StudentL2 = {
    get: (id) =>
      options.l2Down ? Promise.reject(new Error('redis down')) : Promise.resolve(l2Store.get(id)),
    set: (s) =>
      options.l2Down ? Promise.reject(new Error('redis down')) : Promise.resolve(void l2Store.set(s.id, s)),
    delete: (id) => Promise.resolve(void l2Store.delete(id)),
    tombstone: (id) => Promise.resolve(void l2Store.set(id, 'deleted')),
    ping: () => Promise.resolve(),
  };
  const db = new Map<string, Student>();
  let loads = 0;
  let release: () => void = () => undefined;
  let gate: Promise<void> | undefined;
  const registry = new Registry();
  const counter = new Counter({
    name: 'c',
    help: 'h',
    labelNames: ['cache', 'level', 'result'] as const,
    registers: [registry],
  });
  const cache = createTwoLevelStudentCache({
    load: async (id) => {
      loads++;
      await gate;
      return db.get(id);
    },
    l2,
    policy: createNoopPolicy('redis'),
    counter,
    logger: createLogger({ service: 't', level: 'silent' }),
    l1TtlMs: 60_000,
    l1MaxEntries: 100,
  });
  const count = async (level: string, result: string) =>
    (await counter.get()).values.find((v) => v.labels.level === level && v.labels.result === result)?.value ??
    0;
  return {
    cache,
    db,
    l2Store,
    loads: () => loads,
    hold: () => void (gate = new Promise<void>((r) => (release = r))),
    release: () => release(),
    count,
  };
}

describe('createTwoLevelStudentCache', () => {
  it('loads a cold student once for many concurrent readers, then serves L1', async () => {
    const t = setup();
    t.db.set('s1', student('s1'));
    t.hold();
    const reads = Array.from({ length: 100 }, () => t.cache.get('s1'));
    await new Promise((r) => setTimeout(r, 10));
    t.release();
    expect((await Promise.all(reads)).every((s) => s?.id === 's1')).toBe(true);
    expect(t.loads()).toBe(1);
    expect(t.l2Store.has('s1')).toBe(true);
    await t.cache.get('s1');
    expect(t.loads()).toBe(1);
    expect(await t.count('l1', 'hit')).toBe(1);
  });

  it('reads L2 before the database', async () => {
    const t = setup();
    t.l2Store.set('s2', student('s2', 'FromRedis'));
    expect((await t.cache.get('s2'))?.firstName).toBe('FromRedis');
    expect(t.loads()).toBe(0);
  });

  it('falls through to the database when Redis fails, counting the error', async () => {
    const t = setup({ l2Down: true });
    t.db.set('s3', student('s3'));
    expect((await t.cache.get('s3'))?.id).toBe('s3');
    expect(await t.count('l2', 'error')).toBeGreaterThanOrEqual(1);
  });

  it('does not keep a load that began before an invalidation, nor cache a missing student', async () => {
    const t = setup();
    t.db.set('s4', student('s4', 'Old'));
    t.hold();
    const stale = t.cache.get('s4');
    await new Promise((r) => setTimeout(r, 10));
    t.db.set('s4', student('s4', 'New'));
    await t.cache.invalidate('s4');
    t.release();
    await stale;
    expect((await t.cache.get('s4'))?.firstName).toBe('New');
    expect(await t.cache.get('missing')).toBeUndefined();
    expect(await t.cache.get('missing')).toBeUndefined();
    expect(t.loads()).toBe(4);
  });

  it('answers not-found for a tombstone without a database read, and never keeps it in L1', async () => {
    const t = setup();
    t.db.set('s5', student('s5'));
    expect((await t.cache.get('s5'))?.id).toBe('s5');
    await t.cache.invalidate('s5', 'deleted');
    expect(t.l2Store.get('s5')).toBe('deleted');
    expect(await t.cache.get('s5')).toBeUndefined();
    expect(await t.cache.get('s5')).toBeUndefined();
    expect(t.loads()).toBe(1);
    expect(await t.count('l1', 'hit')).toBe(0);
  });
});
