import type { AmqpPublisher } from './amqp-publish.ts';
import type { ResiliencePolicy } from './resilience-policy.ts';

export interface ResilientPublisherDeps {
  pool: AmqpPublisher;
  /** Usually `createResiliencePolicy({ name: 'amqp', … })`; tests may pass `createNoopPolicy()`. */
  policy: ResiliencePolicy;
}

/**
 * Runs every publish through the policy (retry → breaker → timeout). The policy's per-attempt
 * signal aborts the wait for confirms, so a timed-out attempt frees its channel at once; while the
 * breaker is open calls fail immediately with cockatiel's `BrokenCircuitError` (never retried).
 * Retried publishes may duplicate a message: consumers de-duplicate by messageId.
 */
export function createResilientPublisher({ pool, policy }: ResilientPublisherDeps): AmqpPublisher {
  return {
    publish: (exchange, routingKey, content, options, signal) =>
      policy.execute((attempt) => pool.publish(exchange, routingKey, content, options, attempt), signal),
    publishBatch: (messages, signal) =>
      policy.execute((attempt) => pool.publishBatch(messages, attempt), signal),
  };
}
