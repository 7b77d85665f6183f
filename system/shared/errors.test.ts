import { describe, expect, it } from 'vitest';
import { AppError, errorTable, toProblem } from './errors.ts';

describe('error table', () => {
  it('gives every code a 4xx or 5xx status and a title', () => {
    for (const [code, entry] of Object.entries(errorTable)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
      expect(entry.title.length, code).toBeGreaterThan(0);
    }
  });

  it('turns an AppError into an RFC 9457 problem with a stable code and extensions', () => {
    const error = new AppError('validation_failed', {
      detail: 'firstName is required',
      extensions: { errors: [{ path: 'firstName' }] },
    });
    expect(toProblem(error, '/api/students')).toEqual({
      type: 'urn:event-lab:problem:validation_failed',
      title: errorTable.validation_failed.title,
      status: 400,
      code: 'validation_failed',
      detail: 'firstName is required',
      instance: '/api/students',
      errors: [{ path: 'firstName' }],
    });
  });

  it('omits detail when it would only repeat the title', () => {
    expect(toProblem(new AppError('not_found'))).not.toHaveProperty('detail');
  });
});
