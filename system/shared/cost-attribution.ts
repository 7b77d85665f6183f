import type { Counter } from 'prom-client';
import type { CostCause } from '../../contracts/service-metrics.ts';
import { currentContext, newCorrelationId, runWithContext } from './correlation.ts';

// The cause rides in the unit of work's correlation context (correlation.ts), set where a request
// or a message enters; one AsyncLocalStorage for both, since each store costs every async hop.

/**
 * Runs `fn` (and everything it starts asynchronously) as work of `cause`, keeping the current
 * correlation id: the SQL statements and Redis commands it issues are counted under that cause.
 */
export function attributeTo<T>(cause: CostCause, fn: () => T): T {
  const context = currentContext() ?? { correlationId: newCorrelationId() };
  const { cause: _previous, ...rest } = context;
  return runWithContext(cause === 'other' ? rest : { ...rest, cause }, fn);
}

/** The cause of the code running now: `other` outside a request or a message. */
export function currentCause(): CostCause {
  return currentContext()?.cause ?? 'other';
}

/** A counter of the statements or commands a service sends, by cause. */
export type CauseCounter = Pick<Counter<'cause'>, 'inc'>;

/** Counts one unit of cost for the code running now. */
export function countCost(counter: CauseCounter, n = 1): void {
  counter.inc({ cause: currentCause() }, n);
}
