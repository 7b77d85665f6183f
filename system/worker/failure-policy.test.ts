import { describe, expect, it } from 'vitest';
import { AppError, NonRetryableError } from '../shared/errors.ts';
import { attemptsSoFar, decideOnFailure, retryDelayMs } from './failure-policy.ts';

const options = { maxAttempts: 3, delaysMs: [100, 500] };

describe('failure policy', () => {
  it('reads the attempt header, treating a missing or bad value as none', () => {
    expect(attemptsSoFar(undefined)).toBe(0);
    expect(attemptsSoFar({ 'x-attempts': 2 })).toBe(2);
    expect(attemptsSoFar({ 'x-attempts': 'junk' })).toBe(0);
  });

  it('uses the delays in order and repeats the last one', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(options, a))).toEqual([100, 500, 500, 500]);
  });

  it('retries a transient failure until the last attempt, then dead-letters it', () => {
    const error = new AppError('dependency_unavailable');
    expect(decideOnFailure(options, 1, error)).toEqual({ action: 'retry', delayMs: 100, attempts: 1 });
    expect(decideOnFailure(options, 2, error)).toEqual({ action: 'retry', delayMs: 500, attempts: 2 });
    expect(decideOnFailure(options, 3, error)).toEqual({
      action: 'dead_letter',
      kind: 'attempts_exhausted',
      attempts: 3,
    });
  });

  it('dead-letters a non-retryable or caller-fault error at once', () => {
    expect(decideOnFailure(options, 1, new NonRetryableError('bad'))).toMatchObject({
      kind: 'non_retryable',
    });
    expect(decideOnFailure(options, 1, new AppError('validation_failed'))).toMatchObject({
      kind: 'non_retryable',
    });
  });
});
