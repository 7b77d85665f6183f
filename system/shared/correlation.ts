import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { CostCause } from '../../contracts/service-metrics.ts';

/** What travels with one unit of work (an HTTP request, a consumed message) through async calls. */
export interface RequestContext {
  correlationId: string;
  /** The message that caused this work, if any. */
  causationId?: string;
  /**
   * What kind of work this is, for the cost counters (cost-attribution.ts): a business request
   * or a consumed message. Absent (counted as `other`): health checks, scrapes, background loops.
   */
  cause?: Exclude<CostCause, 'other'>;
  /**
   * The trace this work continues, as the caller sent it (`traceparent` of the request or the
   * consumed message). With tracing on, the active span says more; off, this is passed on as is.
   */
  traceparent?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const runWithContext = <T>(context: RequestContext, fn: () => T): T => storage.run(context, fn);

export const currentContext = (): RequestContext | undefined => storage.getStore();

export const currentCorrelationId = (): string | undefined => storage.getStore()?.correlationId;

export const newCorrelationId = (): string => randomUUID();

const correlationIdPattern = /^[\w.:@-]{1,128}$/;

/** Accepts a caller's correlation id when it is a sane token; otherwise a fresh one is made. */
export function acceptCorrelationId(value: string | string[] | undefined): string {
  const candidate = Array.isArray(value) ? value[0] : value;
  return candidate && correlationIdPattern.test(candidate) ? candidate : newCorrelationId();
}
