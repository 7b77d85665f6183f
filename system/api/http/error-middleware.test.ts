import { describe, expect, it } from 'vitest';
import { toAppError } from './error-middleware.ts';

describe('toAppError', () => {
  it('maps PostgreSQL data exceptions (SQLSTATE class 22) to a 400', () => {
    for (const code of ['22021', '22P02', '22001']) {
      const error = toAppError(Object.assign(new Error('invalid byte sequence'), { code }), 1);
      expect(error.code).toBe('validation_failed');
      expect(error.status).toBe(400);
    }
  });

  it('maps PostgreSQL constraint violations (SQLSTATE class 23) to a 409', () => {
    expect(toAppError(Object.assign(new Error('duplicate key'), { code: '23505' }), 1).status).toBe(409);
  });

  it('keeps connection failures a 503 and unknown errors a 500', () => {
    expect(toAppError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 1).status).toBe(503);
    expect(toAppError(new Error('bug'), 1).status).toBe(500);
  });
});
