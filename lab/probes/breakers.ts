import { breakerStateOf, metricNames, type BreakerState } from '../../contracts/service-metrics.ts';
import type { PromSample } from '../metrics/prometheus-text.ts';

/** One breaker's state as one scrape of its service saw it. */
export interface BreakerSample {
  /** Epoch milliseconds of the scrape. */
  atMs: number;
  /** `<service>.<breaker>`, e.g. `api.amqp`. */
  breaker: string;
  state: BreakerState;
}

/** Every `circuit_breaker_state{breaker}` in one scrape of `service`, decoded. */
export function breakerSamplesOf(
  service: string,
  samples: readonly PromSample[],
  atMs: number,
): BreakerSample[] {
  const out: BreakerSample[] = [];
  for (const s of samples) {
    if (s.name !== metricNames.breakerState) continue;
    const state = breakerStateOf(s.value);
    if (state) out.push({ atMs, breaker: `${service}.${s.labels.breaker ?? 'default'}`, state });
  }
  return out;
}

/** Each breaker's latest sampled state. */
export function latestBreakerStates(samples: readonly BreakerSample[]): Map<string, BreakerState> {
  const latest = new Map<string, BreakerState>();
  for (const s of samples) latest.set(s.breaker, s.state);
  return latest;
}

export interface FaultTimes {
  appliedMs?: number;
  rolledBackMs?: number;
}

/** What the breakers did around one fault; times are epoch milliseconds of the samples. */
export interface BreakersAroundFault {
  /** The first of the watched breakers to be sampled open after the fault was applied. */
  firstOpened?: string;
  openedMs?: number;
  /** When every breaker that opened was sampled closed again after the rollback. */
  closedMs?: number;
  /** Fault applied → first breaker sampled open. */
  timeToOpenMs?: number;
  /** Fault rolled back → every breaker that opened sampled closed again. */
  timeToCloseMs?: number;
}

/**
 * The one definition of a breaker's reaction to a fault, used by every scenario:
 * `timeToOpenMs` runs from the fault's application to the first sample (at or after it) that sees
 * any watched breaker open; `timeToCloseMs` from the fault's rollback to the first moment every
 * breaker that opened has been sampled closed again (at or after both its opening and the
 * rollback). Resolution is the sampling interval. `breakers` limits which are watched (default all).
 */
export function breakersAroundFault(
  samples: readonly BreakerSample[],
  fault: FaultTimes,
  breakers?: readonly string[],
): BreakersAroundFault {
  const { appliedMs, rolledBackMs } = fault;
  if (appliedMs === undefined) return {};
  const watched = samples.filter((s) => s.atMs >= appliedMs && (!breakers || breakers.includes(s.breaker)));
  const openings = new Map<string, number>();
  for (const s of watched)
    if (s.state === 'open' && !openings.has(s.breaker)) openings.set(s.breaker, s.atMs);
  if (openings.size === 0) return {};
  const [firstOpened, openedMs] = [...openings.entries()].reduce((a, b) => (b[1] < a[1] ? b : a));
  const result: BreakersAroundFault = { firstOpened, openedMs, timeToOpenMs: openedMs - appliedMs };
  if (rolledBackMs === undefined) return result;
  let closedMs = -Infinity;
  for (const [breaker, opened] of openings) {
    const closed = watched.find(
      (s) => s.breaker === breaker && s.atMs >= Math.max(opened, rolledBackMs) && s.state === 'closed',
    );
    if (!closed) return result;
    closedMs = Math.max(closedMs, closed.atMs);
  }
  return { ...result, closedMs, timeToCloseMs: closedMs - rolledBackMs };
}

/**
 * Intervals during which `breaker` was sampled open: from the first to the last sample of each
 * run of open samples. Between that last sample and the next one it may already have closed, so
 * a request there is not known to have met an open breaker.
 */
export function openIntervals(samples: readonly BreakerSample[], breaker: string): [number, number][] {
  const out: [number, number][] = [];
  let interval: [number, number] | undefined;
  for (const s of samples) {
    if (s.breaker !== breaker) continue;
    if (s.state === 'open') {
      if (interval) interval[1] = s.atMs;
      else interval = [s.atMs, s.atMs];
    } else if (interval) {
      out.push(interval);
      interval = undefined;
    }
  }
  if (interval) out.push(interval);
  return out;
}
