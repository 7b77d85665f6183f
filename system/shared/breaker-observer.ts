import { breakerStateValue } from '../../contracts/service-metrics.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import type { ResiliencePolicy } from './resilience-policy.ts';

/**
 * The one place breakers become observable: each policy's state goes into the
 * `breaker_state` gauge, every transition into the transition counter and a structured warning.
 * Returns an unsubscribe for all of them.
 */
export function observeBreakers(
  policies: readonly ResiliencePolicy[],
  deps: {
    metrics: Pick<ServiceMetrics, 'breakerState' | 'breakerTransitions'>;
    logger: Pick<Logger, 'warn'>;
  },
): () => void {
  const { metrics, logger } = deps;
  const unsubscribes = policies.map((policy) => {
    metrics.breakerState.set({ breaker: policy.name }, breakerStateValue[policy.state()]);
    return policy.onTransition((t) => {
      metrics.breakerState.set({ breaker: t.breaker }, breakerStateValue[t.to]);
      metrics.breakerTransitions.inc({ breaker: t.breaker, from: t.from, to: t.to });
      logger.warn({ event: 'breaker_transition', ...t }, `breaker ${t.breaker} ${t.from} → ${t.to}`);
    });
  });
  return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
}
