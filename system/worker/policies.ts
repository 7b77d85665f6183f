import { createResiliencePolicy, type ResiliencePolicy } from '../shared/resilience-policy.ts';
import type { WorkerConfig } from './config.ts';

export interface WorkerPolicies {
  db: ResiliencePolicy;
  redis: ResiliencePolicy;
  amqp: ResiliencePolicy;
}

/** One policy per dependency (retry → breaker → timeout), built from configuration. */
export function buildWorkerPolicies(config: WorkerConfig): WorkerPolicies {
  const breaker = {
    consecutiveFailures: config.BREAKER_CONSECUTIVE_FAILURES,
    halfOpenAfterMs: config.BREAKER_HALF_OPEN_AFTER_MS,
  };
  return {
    db: createResiliencePolicy({
      name: 'db',
      timeoutMs: config.DB_TIMEOUT_MS,
      maxRetries: config.DB_MAX_RETRIES,
      initialDelayMs: 50,
      maxDelayMs: 1_000,
      ...breaker,
    }),
    // One quick try: a slow Redis must not hold the message; the step is skipped instead.
    redis: createResiliencePolicy({
      name: 'redis',
      timeoutMs: config.REDIS_TIMEOUT_MS,
      maxRetries: 0,
      initialDelayMs: 50,
      maxDelayMs: 200,
      ...breaker,
    }),
    amqp: createResiliencePolicy({
      name: 'amqp',
      timeoutMs: 5_000,
      maxRetries: 2,
      initialDelayMs: 100,
      maxDelayMs: 2_000,
      ...breaker,
    }),
  };
}
