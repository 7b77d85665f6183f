import { createResiliencePolicy, type ResiliencePolicy } from '../shared/resilience-policy.ts';
import type { ApiConfig } from './config.ts';

/** One policy per dependency (retry → breaker → timeout), built from configuration. */
export function buildPolicies(config: ApiConfig): {
  amqpPolicy: ResiliencePolicy;
  redisPolicy: ResiliencePolicy;
} {
  return {
    amqpPolicy: createResiliencePolicy({
      name: 'amqp',
      timeoutMs: config.AMQP_TIMEOUT_MS,
      maxRetries: config.AMQP_MAX_RETRIES,
      initialDelayMs: config.AMQP_RETRY_INITIAL_MS,
      maxDelayMs: config.AMQP_RETRY_MAX_MS,
      consecutiveFailures: config.AMQP_BREAKER_FAILURES,
      halfOpenAfterMs: config.AMQP_BREAKER_HALF_OPEN_MS,
    }),
    // Redis is a cache: no retries, a short timeout; reads fall through to the database.
    redisPolicy: createResiliencePolicy({
      name: 'redis',
      timeoutMs: config.REDIS_TIMEOUT_MS,
      maxRetries: 0,
      initialDelayMs: 10,
      maxDelayMs: 10,
      consecutiveFailures: config.REDIS_BREAKER_FAILURES,
      halfOpenAfterMs: config.REDIS_BREAKER_HALF_OPEN_MS,
    }),
  };
}
