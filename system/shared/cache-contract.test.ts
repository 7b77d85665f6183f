import { describe, expect, it } from 'vitest';
import { isTombstone, studentTombstone, studentTombstoneUpdates } from './cache-contract.ts';

describe('student cache tombstone', () => {
  it('is a JSON value marked deleted whose updates beat every real student', () => {
    const value: unknown = JSON.parse(studentTombstone('s1'));
    expect(value).toEqual({ id: 's1', deleted: true, updates: Number.MAX_SAFE_INTEGER });
    expect(isTombstone(value)).toBe(true);
    expect(studentTombstoneUpdates).toBe(2 ** 53 - 1);
    expect(Number.isSafeInteger(studentTombstoneUpdates)).toBe(true);
  });

  it('is never mistaken for a student or a malformed value', () => {
    const student = { id: 's1', updates: 3, lastModified: '2026-01-01T00:00:00.000Z' };
    for (const value of [student, { ...student, deleted: false }, { deleted: 'true' }, null, 'x', 3, []]) {
      expect(isTombstone(value)).toBe(false);
    }
  });
});
