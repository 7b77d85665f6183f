import { describe, expect, it } from 'vitest';
import { createResponseCache } from './response-cache.ts';

const response = (bytes: number, studentId?: string) => ({
  status: 200,
  contentType: 'application/json',
  location: undefined,
  body: Buffer.alloc(bytes, 'x'),
  studentId,
});

describe('createResponseCache', () => {
  it('evicts the oldest entries to stay under maxBytes', () => {
    const cache = createResponseCache({ maxEntries: 100_000, maxBytes: 64 * 1024 });
    for (let i = 0; i < 1_000; i++) cache.set(`key-${i}`, response(14_000), 30_000);
    expect(cache.bytes()).toBeLessThanOrEqual(64 * 1024);
    expect(cache.size()).toBeLessThan(10);
    expect(cache.get('key-999')).toBeDefined();
    expect(cache.get('key-0')).toBeUndefined();
  });

  it('never keeps a single response larger than maxBytes', () => {
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 4 * 1024 });
    cache.set('big', response(8 * 1024), 30_000);
    expect(cache.size()).toBe(0);
    expect(cache.bytes()).toBe(0);
  });

  it('drops expired entries on later writes even when nobody reads them again', () => {
    let nowMs = 0;
    const cache = createResponseCache({ maxEntries: 100_000, now: () => nowMs });
    for (let i = 0; i < 50; i++) cache.set(`old-${i}`, response(100), 1_000);
    nowMs = 5_000;
    for (let i = 0; i < 10; i++) cache.set(`new-${i}`, response(100), 1_000);
    expect(cache.size()).toBe(10);
  });

  it('gives the bytes of invalidated entries back', () => {
    const cache = createResponseCache({ maxEntries: 10 });
    cache.set('a', response(1_000, 's1'), 30_000);
    cache.set('b', response(1_000, 's1'), 30_000);
    cache.invalidateStudent('s1');
    expect(cache.size()).toBe(0);
    expect(cache.bytes()).toBe(0);
  });
});
