import { describe, expect, it } from 'vitest';
import { canonicalPath, requestFingerprint, studentIdOfPath } from './request-fingerprint.ts';

const id = '6f1c2d4e-0000-4000-8000-00000000000a';

describe('requestFingerprint', () => {
  it('sorts the query and treats the singular alias, case and trailing slash as one route', () => {
    const a = requestFingerprint('GET', `/api/students/${id}?b=2&a=1`, '', 'x');
    expect(requestFingerprint('GET', `/API/Student/${id.toUpperCase()}/?a=1&b=2`, '', 'x')).toBe(a);
  });

  it('separates methods, bodies and callers', () => {
    const base = requestFingerprint('PUT', `/api/students/${id}`, 'h1', 'Bearer a');
    expect(requestFingerprint('GET', `/api/students/${id}`, 'h1', 'Bearer a')).not.toBe(base);
    expect(requestFingerprint('PUT', `/api/students/${id}`, 'h2', 'Bearer a')).not.toBe(base);
    expect(requestFingerprint('PUT', `/api/students/${id}`, 'h1', 'Bearer b')).not.toBe(base);
    expect(requestFingerprint('PUT', `/api/students/${id}`, 'h1', '')).not.toBe(base);
  });

  it('finds the student a path is about', () => {
    expect(canonicalPath('/api/student')).toBe('/api/students');
    expect(studentIdOfPath(`/api/student/${id.toUpperCase()}?x=1`)).toBe(id);
    expect(studentIdOfPath('/api/students/not-an-id')).toBeUndefined();
  });

  it('keeps the key a fixed-size hash whatever the size of the query and Authorization', () => {
    const key = requestFingerprint(
      'GET',
      `/api/students/${id}?q=${'x'.repeat(14_000)}`,
      '',
      'B'.repeat(8_000),
    );
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
