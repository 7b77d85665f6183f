/** Bounds for an exponential backoff, in milliseconds. */
export interface BackoffOptions {
  /** Delay cap of the first attempt, in milliseconds. */
  initialDelayMs: number;
  /** Largest delay ever returned, in milliseconds. */
  maxDelayMs: number;
}

/**
 * Exponential backoff with "equal jitter": the cap doubles per attempt (`initialDelayMs · 2^(attempt-1)`,
 * at most `maxDelayMs`); half of it is fixed and half random, so many clients that lost the same
 * broker never reconnect in lock-step, and no delay is ever near zero (no hot loop).
 *
 * @param attempt 1 for the first retry.
 * @param random a source in [0, 1); tests pass a constant.
 * @returns the delay in milliseconds.
 */
export function computeBackoffDelayMs(
  attempt: number,
  { initialDelayMs, maxDelayMs }: BackoffOptions,
  random: () => number = Math.random,
): number {
  const cap = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}
