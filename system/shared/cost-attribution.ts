import { AsyncLocalStorage } from 'node:async_hooks';
import type { Counter } from 'prom-client';
import type { CostCause } from '../../contracts/service-metrics.ts';

const causes = new AsyncLocalStorage<CostCause>();

/**
 * Runs `fn` (and everything it starts asynchronously) as work of `cause`: the SQL statements and
 * Redis commands it issues are counted under that cause. Outside any cause they count as `other`.
 */
export function attributeTo<T>(cause: CostCause, fn: () => T): T {
  return causes.run(cause, fn);
}

/** The cause of the code running now. */
export function currentCause(): CostCause {
  return causes.getStore() ?? 'other';
}

/** A counter of the statements or commands a service sends, by cause. */
export type CauseCounter = Pick<Counter<'cause'>, 'inc'>;

/** Counts one unit of cost for the code running now. */
export function countCost(counter: CauseCounter, n = 1): void {
  counter.inc({ cause: currentCause() }, n);
}
