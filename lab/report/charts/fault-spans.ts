import type { LabResult } from '../result-schema.ts';
import { runDurationSec } from './chart-frame.ts';

/** The time a fault was really active, in seconds since the run started. */
export interface FaultSpan {
  label: string;
  startSec: number;
  endSec: number;
  /** `phases` when no apply/rollback time was recorded and the phase bounds stand in for them. */
  source: 'faults' | 'metrics' | 'phases';
}

const appliedMetric = /^fault\.(.+)\.appliedAtMs$/;

/**
 * When each fault was on. Prefers the result's `faults` records, then the
 * `fault.<name>.appliedAtMs` / `rolledBackAtMs` metrics; only results with neither fall back to the
 * phases that carry a fault, because a phase lists a fault that is active for any part of it (a
 * recovery phase that starts before the rollback finishes counts), so its bounds overstate the
 * fault. A fault never rolled back lasts until the end of the run.
 */
export function faultSpans(result: LabResult): FaultSpan[] {
  const endOfRun = runDurationSec(result);
  if (result.faults?.length) {
    return result.faults.map((f) => ({
      label: f.name,
      startSec: f.appliedTSec,
      endSec: f.rolledBackTSec ?? endOfRun,
      source: 'faults',
    }));
  }
  const fromMetrics = Object.entries(result.metrics).flatMap(([metric, appliedMs]) => {
    const name = appliedMetric.exec(metric)?.[1];
    if (name === undefined) return [];
    const rolledBackMs = result.metrics[`fault.${name}.rolledBackAtMs`];
    const endSec = rolledBackMs === undefined ? endOfRun : rolledBackMs / 1000;
    return [{ label: name, startSec: appliedMs / 1000, endSec, source: 'metrics' as const }];
  });
  if (fromMetrics.length > 0) return fromMetrics.sort((a, b) => a.startSec - b.startSec);
  return phaseSpans(result);
}

/** Consecutive phases with the same fault become one span. */
function phaseSpans(result: LabResult): FaultSpan[] {
  const spans: FaultSpan[] = [];
  let previous: { fault: string; span: FaultSpan } | undefined;
  for (const phase of result.phases) {
    if (phase.fault === undefined) {
      previous = undefined;
      continue;
    }
    if (previous?.fault === phase.fault) {
      previous.span.endSec = phase.endMs / 1000;
      continue;
    }
    const span: FaultSpan = {
      label: `${phase.fault} (phase bounds)`,
      startSec: phase.startMs / 1000,
      endSec: phase.endMs / 1000,
      source: 'phases',
    };
    spans.push(span);
    previous = { fault: phase.fault, span };
  }
  return spans;
}

/**
 * The components the run's faults touched (`rabbitmq`, `redis`, `notifications`, …): the part
 * before the colon of each fault description, from the fault records or else the phases.
 */
export function faultTargets(result: LabResult): Set<string> {
  const descriptions = [
    ...(result.faults ?? []).flatMap((f) => (f.description === undefined ? [] : [f.description])),
    ...result.phases.flatMap((p) => (p.fault === undefined ? [] : [p.fault])),
  ];
  const targets = descriptions.flatMap((d) => d.split(';').map((part) => part.split(':')[0]?.trim() ?? ''));
  return new Set(targets.filter((t) => t !== ''));
}
