import type { ResiliencePolicy } from '../shared/resilience-policy.ts';

/**
 * Runs `fn` through `policy` with a signal of its own. Without one, cockatiel's timeout hangs the
 * abort listener of every concurrent call on one shared signal, which warns (MaxListeners) as soon
 * as more than 10 messages are in flight (prefetch > 10).
 */
export const runPolicy = <T>(policy: ResiliencePolicy, fn: (signal: AbortSignal) => Promise<T>): Promise<T> =>
  policy.execute(fn, new AbortController().signal);
