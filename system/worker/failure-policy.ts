import { isAppError, isNonRetryableError } from '../shared/errors.ts';

/** Headers the worker sets on retried and dead-lettered messages (named for what they carry). */
export const failureHeaders = {
  /** Failed deliveries so far (a number); absent on the first delivery. */
  attempts: 'x-attempts',
  /** On a dead-lettered message: why, in words. */
  reason: 'x-dead-letter-reason',
  /** On a dead-lettered message: `malformed` | `non_retryable` | `attempts_exhausted` | `unknown_type`. */
  kind: 'x-dead-letter-kind',
  deadLetteredAt: 'x-dead-lettered-at',
  /** The last error of a retried message. */
  lastError: 'x-last-error',
  /** Exchange and routing key of the first delivery (a retried message comes back by queue name). */
  originalExchange: 'x-original-exchange',
  originalRoutingKey: 'x-original-routing-key',
} as const;

export type DeadLetterKind = 'malformed' | 'non_retryable' | 'attempts_exhausted' | 'unknown_type';

export interface RetryOptions {
  /** Deliveries a message gets in all (1 = never retried). */
  maxAttempts: number;
  /** Delay before retry n is `delaysMs[n-1]`; the last entry repeats. In milliseconds. */
  delaysMs: readonly number[];
}

/** Failed attempts recorded on a message by earlier deliveries (0 on the first). */
export function attemptsSoFar(headers: Record<string, unknown> | undefined): number {
  const value = Number(headers?.[failureHeaders.attempts] ?? 0);
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/** Delay in milliseconds before the retry that follows failed attempt `attempt` (1-based). */
export function retryDelayMs(options: RetryOptions, attempt: number): number {
  const { delaysMs } = options;
  return delaysMs[Math.min(attempt, delaysMs.length) - 1] ?? delaysMs[delaysMs.length - 1] ?? 1_000;
}

/** Errors retrying cannot fix: bad data, or the caller's fault (4xx). */
export const isPermanentFailure = (error: unknown): boolean =>
  isNonRetryableError(error) || (isAppError(error) && error.status < 500);

export type FailureDecision =
  | { action: 'retry'; delayMs: number; attempts: number }
  | { action: 'dead_letter'; kind: DeadLetterKind; attempts: number };

/** What to do with a message whose attempt number `attempt` (1-based) just failed with `error`. */
export function decideOnFailure(options: RetryOptions, attempt: number, error: unknown): FailureDecision {
  if (isPermanentFailure(error)) return { action: 'dead_letter', kind: 'non_retryable', attempts: attempt };
  if (attempt >= options.maxAttempts) {
    return { action: 'dead_letter', kind: 'attempts_exhausted', attempts: attempt };
  }
  return { action: 'retry', delayMs: retryDelayMs(options, attempt), attempts: attempt };
}
