import type { Logger } from './logger.ts';
import { isBrokenCircuitError, type ResiliencePolicy } from './resilience-policy.ts';

/** How soon a probe the breaker refused (still open) is tried again, in milliseconds. */
const retryMs = 50;

export interface BreakerProbeOptions {
  policy: ResiliencePolicy;
  /** The policy's half-open delay, in milliseconds: the probe runs once it has passed. */
  halfOpenAfterMs: number;
  /** A cheap call to the dependency (e.g. check an exchange exists); it runs through `policy`. */
  probe: (signal: AbortSignal) => Promise<unknown>;
  logger: Pick<Logger, 'debug'>;
}

/**
 * Lets an open breaker close without sacrificing a user's request. A breaker half-opens lazily, on
 * the next call through it; callers that answer 503 while it is not closed (direct publishing)
 * never make that call, so this probe makes it: after every opening, once the half-open delay has
 * passed. A failed probe opens the breaker again, which schedules the next one. Returns `stop`.
 */
export function startBreakerProbe({
  policy,
  halfOpenAfterMs,
  probe,
  logger,
}: BreakerProbeOptions): () => void {
  let timer: NodeJS.Timeout | undefined;
  // Counts openings: a probe whose trial failed re-opened the breaker, and that opening already
  // scheduled the next probe.
  let openings = 0;
  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (policy.state() !== 'open') return;
      const openingsBefore = openings;
      policy.execute(probe).then(
        () => logger.debug({ breaker: policy.name }, 'breaker probe succeeded'),
        (error: unknown) => {
          logger.debug({ breaker: policy.name, err: error }, 'breaker probe failed');
          // Refused without a trial: the timer fired before the breaker's own clock let one
          // through (timers may fire a millisecond early). Nothing else would schedule the next
          // probe, so try again shortly rather than leave the breaker open for good.
          if (isBrokenCircuitError(error) && policy.state() === 'open' && openings === openingsBefore)
            schedule(retryMs);
        },
      );
    }, delayMs);
    timer.unref();
  };
  const unsubscribe = policy.onTransition(({ to }) => {
    if (to !== 'open') return;
    openings += 1;
    schedule(halfOpenAfterMs);
  });
  if (policy.state() === 'open') schedule(halfOpenAfterMs);
  return () => {
    unsubscribe();
    clearTimeout(timer);
  };
}
