import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEnvelope, type Envelope, type Student } from '../../../contracts/envelope.ts';
import { NonRetryableError } from '../../shared/errors.ts';
import { BrokenCircuitError } from '../../shared/resilience-policy.ts';
import type { StudentCache } from '../student-cache.ts';
import { createInMemoryWorkerStore } from '../testing/in-memory-worker-store.ts';
import type { CacheSkipReason, HandlerDeps } from './handler-deps.ts';
import { createHandlers } from './registry.ts';

const student = (id = randomUUID()): Student => ({
  id,
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  fullName: 'Ada Lovelace',
  updates: 0,
  created: '2025-01-01T00:00:00.000Z',
  createdBy: 'api',
  lastModified: '2025-01-01T00:00:00.000Z',
  lastModifiedBy: 'api',
});

const event = (type: Envelope['type'], payload: Envelope['payload']): Envelope =>
  createEnvelope({
    type,
    correlationId: 'corr-1',
    producer: 'api',
    payload,
    occurredAt: new Date('2025-02-02T10:00:00.000Z'),
  });

function setup(seed: Student[] = [], failCache = false) {
  const store = createInMemoryWorkerStore(seed);
  const log: string[] = [];
  const skipped: CacheSkipReason[] = [];
  let wakes = 0;
  const cache: StudentCache = {
    put: (s) => (log.push(`put ${s.id} ${s.updates} outbox=${store.outbox.length}`), fail(true)),
    evict: (id) => (log.push(`evict ${id}`), fail(undefined)),
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  function fail<T>(value: T): Promise<T> {
    return failCache ? Promise.reject(new BrokenCircuitError()) : Promise.resolve(value);
  }
  const deps: HandlerDeps = {
    store,
    cache,
    notificationsExchange: 'notifications',
    wakeRelay: () => void wakes++,
    onCacheSkipped: (reason) => void skipped.push(reason),
    logger: { info: () => undefined, warn: () => undefined },
    now: () => new Date('2025-02-02T10:00:01.000Z'),
  };
  return { store, log, skipped, handlers: createHandlers(deps), wakes: () => wakes };
}

describe('student.created / student.updated handler', () => {
  it('increments, caches after the event notification committed, then appends student.cached', async () => {
    const s = student();
    const { store, log, handlers, wakes } = setup([s]);
    const e = event('student.created', s);
    expect(await handlers['student.created'](e)).toBe('ok');
    expect(store.students.get(s.id)?.updates).toBe(1);
    expect(log).toEqual([`put ${s.id} 1 outbox=1`]);
    expect(store.outbox.map((m) => [m.exchange, m.routingKey])).toEqual([
      ['notifications', 'student.created'],
      ['notifications', 'student.cached'],
    ]);
    const [created, cached] = store.outbox.map((m) => m.envelope);
    expect(created).toMatchObject({ correlationId: 'corr-1', causationId: e.messageId, producer: 'worker' });
    expect(created?.occurredAt).toBe('2025-02-02T10:00:00.000Z');
    expect(cached?.occurredAt).toBe('2025-02-02T10:00:01.000Z');
    expect(cached?.payload).toMatchObject({ id: s.id, updates: 1 });
    expect(new Set([created?.messageId, cached?.messageId, e.messageId]).size).toBe(3);
    expect(wakes()).toBe(1);
  });

  it('has no effect for a duplicate: no increment, no cache write, no notification', async () => {
    const s = student();
    const { store, log, handlers } = setup([s]);
    const e = event('student.updated', s);
    await handlers['student.updated'](e);
    expect(await handlers['student.updated'](e)).toBe('duplicate');
    expect(store.students.get(s.id)?.updates).toBe(1);
    expect(log).toHaveLength(1);
    expect(store.outbox).toHaveLength(2);
  });

  it('resumes at the cache step when the effect committed but the delivery never finished', async () => {
    const s = student();
    const { store, log, handlers } = setup([s]);
    const e = event('student.updated', s);
    const originalComplete = store.completeMessage.bind(store);
    store.completeMessage = () => Promise.reject(new Error('crash before the second transaction'));
    await expect(handlers['student.updated'](e)).rejects.toThrow('crash');
    store.completeMessage = originalComplete;
    expect(await handlers['student.updated'](e)).toBe('ok');
    expect(store.students.get(s.id)?.updates).toBe(1);
    expect(store.outbox.map((m) => m.routingKey)).toEqual(['student.updated', 'student.cached']);
    expect(log).toHaveLength(2);
  });

  it('skips the cache step when Redis is unavailable but still notifies', async () => {
    const s = student();
    const { store, skipped, handlers } = setup([s], true);
    expect(await handlers['student.created'](event('student.created', s))).toBe('ok');
    expect(skipped).toEqual(['breaker_open']);
    expect(store.outbox.map((m) => m.routingKey)).toEqual(['student.created', 'student.cached']);
  });

  it('records an event for a missing student as skipped, with no notification', async () => {
    const { store, handlers } = setup([]);
    expect(await handlers['student.updated'](event('student.updated', student()))).toBe('skipped');
    expect(store.outbox).toEqual([]);
  });

  it('rejects a payload id that is not a UUID as non-retryable', async () => {
    const { handlers } = setup([]);
    await expect(
      handlers['student.updated'](event('student.updated', { id: 'nope' })),
    ).rejects.toBeInstanceOf(NonRetryableError);
  });
});

describe('student.deleted handler', () => {
  it('evicts the cache and notifies student.deleted once', async () => {
    const id = randomUUID();
    const { store, log, handlers } = setup([]);
    const e = event('student.deleted', { id });
    expect(await handlers['student.deleted'](e)).toBe('ok');
    expect(await handlers['student.deleted'](e)).toBe('duplicate');
    expect(log).toEqual([`evict ${id}`, `evict ${id}`]);
    expect(store.outbox.map((m) => [m.routingKey, m.envelope.payload, m.envelope.causationId])).toEqual([
      ['student.deleted', { id }, e.messageId],
    ]);
  });
});
