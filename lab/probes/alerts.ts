import { setTimeout as sleep } from 'node:timers/promises';
import type { Gate } from '../gates/gate.ts';
import { queryPrometheus, queryPrometheusRange } from '../observe/prometheus-query.ts';

/**
 * Alert gates: a chaos run's natural check that the monitoring works. When the run is given a
 * Prometheus that loads the lab's rules (deploy/prometheus-rules.yml: `npm run observe`, or the
 * compose stack) and scrapes the services, the named alert must fire within a bound after the
 * fault is applied and stop firing within a bound after it is rolled back.
 */
export interface AlertGate {
  /** Human-readable, e.g. `the breaker alert follows the broker cut`. */
  name: string;
  /** Alert name in the rules, e.g. `CircuitBreakerOpen`. */
  alert: string;
  /** The scenario's fault whose apply and rollback the alert follows. */
  fault: string;
  /** Fault applied → first evaluation with the alert firing, at most. */
  firesWithinMs: number;
  /** Fault rolled back → the alert no longer firing, at most. */
  resolvesWithinMs: number;
}

/** Result metric names of an alert's timing. */
export const alertMetricNames = (alert: string) => ({
  firedAfterMs: `alerts.${alert}.firedAfterMs`,
  resolvedAfterMs: `alerts.${alert}.resolvedAfterMs`,
});

/** The gates an alert gate stands for, on the metrics {@link alertTiming} yields. */
export function gatesOfAlert(gate: AlertGate): Gate[] {
  const names = alertMetricNames(gate.alert);
  return [
    {
      name: `${gate.name}: ${gate.alert} fires within ${gate.firesWithinMs / 1000} s of ${gate.fault}`,
      metric: names.firedAfterMs,
      op: '<=',
      threshold: gate.firesWithinMs,
    },
    {
      name: `${gate.name}: ${gate.alert} resolves within ${gate.resolvesWithinMs / 1000} s of the rollback`,
      metric: names.resolvedAfterMs,
      op: '<=',
      threshold: gate.resolvesWithinMs,
    },
  ];
}

/**
 * When the alert fired and stopped, relative to the fault, from the times (epoch ms) at which
 * Prometheus saw it firing, sampled every `stepMs` up to `queriedUntilMs`. Firing before the fault
 * is ignored. Resolved means: a step with no firing sample after the last one, before the query's end.
 */
export function alertTiming(
  firingMs: readonly number[],
  fault: { appliedMs?: number; rolledBackMs?: number },
  stepMs: number,
  queriedUntilMs: number,
): { firedAfterMs?: number; resolvedAfterMs?: number } {
  if (fault.appliedMs === undefined) return {};
  const applied = fault.appliedMs;
  const after = firingMs.filter((t) => t >= applied).sort((a, b) => a - b);
  const first = after[0];
  if (first === undefined) return {};
  const out: { firedAfterMs?: number; resolvedAfterMs?: number } = { firedAfterMs: first - applied };
  const last = after[after.length - 1] ?? first;
  if (fault.rolledBackMs !== undefined && last + stepMs <= queriedUntilMs)
    out.resolvedAfterMs = Math.max(0, last + stepMs - fault.rolledBackMs);
  return out;
}

const firingSelector = (alert: string) => `ALERTS{alertname="${alert}",alertstate="firing"}`;

/**
 * Waits (up to `untilMs`) for the alert to stop firing, then reads every time Prometheus saw it
 * firing between `fromMs` and now, at `stepMs`.
 */
export async function readAlertFiring(
  prometheusUrl: string,
  alert: string,
  fromMs: number,
  options: { untilMs: number; stepMs?: number },
): Promise<{ firingMs: number[]; queriedUntilMs: number }> {
  const stepMs = options.stepMs ?? 1_000;
  while (Date.now() < options.untilMs) {
    const now = await queryPrometheus(prometheusUrl, firingSelector(alert), { timeoutMs: 5_000 });
    if (now.result.length === 0) break;
    await sleep(500);
  }
  // The range query samples on a grid from `fromMs`: wait one step more, so the grid has a point
  // after the resolution that the instant query just saw (else the last point may still fire).
  await sleep(stepMs + 200);
  const queriedUntilMs = Date.now();
  const range = await queryPrometheusRange(prometheusUrl, firingSelector(alert), {
    start: fromMs / 1000,
    end: queriedUntilMs / 1000,
    stepSec: stepMs / 1000,
    timeoutMs: 5_000,
  });
  const firingMs = new Set<number>();
  for (const series of range.result)
    for (const [t, v] of series.values ?? []) if (Number(v) > 0) firingMs.add(Math.round(t * 1000));
  return { firingMs: [...firingMs].sort((a, b) => a - b), queriedUntilMs };
}
