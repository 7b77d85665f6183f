import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { EventEmitter } from 'node:events';
import type { BreakerState } from '../../contracts/service-metrics.ts';
import { isAppError, isNonRetryableError } from './errors.ts';

export { BrokenCircuitError, TaskCancelledError, isBrokenCircuitError } from 'cockatiel';

const stateNames: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

export interface BreakerTransition {
  breaker: string;
  from: BreakerState;
  to: BreakerState;
  /** Epoch milliseconds. */
  at: number;
  /** Message of the failure that opened the breaker, when it opened. */
  reason?: string;
}

export interface RetryEvent {
  breaker: string;
  attempt: number;
  delayMs: number;
  error: string;
}

export interface ResiliencePolicyOptions {
  /** Names the dependency in metrics and logs: `db`, `amqp`, `redis`. */
  name: string;
  /** Per-attempt timeout in milliseconds (innermost). */
  timeoutMs: number;
  /** Retries after the first attempt; 0 disables retry. */
  maxRetries: number;
  /** First backoff in milliseconds; grows exponentially with decorrelated jitter. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Consecutive failures that open the breaker. */
  consecutiveFailures: number;
  /** How long the breaker stays open before a half-open trial call, in milliseconds. */
  halfOpenAfterMs: number;
  /**
   * Which errors count as the dependency failing. By default every error except a
   * {@link NonRetryableError} and a 4xx {@link AppError} (those are the caller's fault).
   */
  isFailure?: (error: unknown) => boolean;
}

export interface ResiliencePolicy {
  readonly name: string;
  /** Runs `fn` through retry → breaker → timeout. `signal` aborts when the attempt times out. */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  state(): BreakerState;
  onTransition(listener: (transition: BreakerTransition) => void): () => void;
  onRetry(listener: (event: RetryEvent) => void): () => void;
}

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const defaultIsFailure = (error: unknown): boolean =>
  !isNonRetryableError(error) && !(isAppError(error) && error.status < 500);

/**
 * One policy per dependency, built here and passed into adapters. The order, outermost first, is
 * retry → circuit breaker → timeout, so every timed-out attempt counts against the breaker, and an
 * open breaker fails the call at once: {@link BrokenCircuitError} is never retried.
 */
export function createResiliencePolicy(options: ResiliencePolicyOptions): ResiliencePolicy {
  const isFailure = options.isFailure ?? defaultIsFailure;
  const events = new EventEmitter();
  const breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((e) => isFailure(e)),
    { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.consecutiveFailures) },
  );
  const retryPolicy = retry(
    handleWhen((e) => !(e instanceof BrokenCircuitError) && isFailure(e)),
    {
      maxAttempts: options.maxRetries,
      backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs, maxDelay: options.maxDelayMs }),
    },
  );
  // abortOnReturn off: aborting each finished attempt's signal builds a DOMException (a stack
  // capture) per call, a measurable share of the worker's CPU per message; a timed-out attempt is
  // still aborted.
  const timeoutPolicy = timeout(options.timeoutMs, {
    strategy: TimeoutStrategy.Aggressive,
    abortOnReturn: false,
  });
  const policy = wrap(retryPolicy, breaker, timeoutPolicy);

  let current: BreakerState = 'closed';
  let lastFailure: string | undefined;
  breaker.onFailure(({ reason }) => {
    lastFailure = 'error' in reason ? describeError(reason.error) : 'value';
  });
  breaker.onStateChange((state) => {
    const to = stateNames[state];
    const transition: BreakerTransition = { breaker: options.name, from: current, to, at: Date.now() };
    if (to === 'open' && lastFailure) transition.reason = lastFailure;
    current = to;
    events.emit('transition', transition);
  });
  retryPolicy.onRetry((event) => {
    const error = 'error' in event ? describeError(event.error) : 'value';
    const retryEvent: RetryEvent = {
      breaker: options.name,
      attempt: event.attempt,
      delayMs: event.delay,
      error,
    };
    events.emit('retry', retryEvent);
  });

  const subscribe = <E>(name: string, listener: (e: E) => void) => {
    events.on(name, listener);
    return () => void events.off(name, listener);
  };

  return {
    name: options.name,
    // A fresh signal per call: cockatiel would otherwise hang every call's abort listener on one
    // shared never-aborted signal, which trips Node's MaxListeners warning under concurrency.
    execute: (fn, signal) =>
      policy.execute(
        ({ signal: attemptSignal }) => fn(attemptSignal),
        signal ?? new AbortController().signal,
      ),
    state: () => current,
    onTransition: (listener) => subscribe('transition', listener),
    onRetry: (listener) => subscribe('retry', listener),
  };
}

/** A pass-through policy for tests and for dependencies that need none. */
export function createNoopPolicy(name = 'noop'): ResiliencePolicy {
  return {
    name,
    execute: (fn, signal) => fn(signal ?? new AbortController().signal),
    state: () => 'closed',
    onTransition: () => () => undefined,
    onRetry: () => () => undefined,
  };
}
