import { phaseMetricName } from '../metrics/metric-names.ts';
import type { Gate, GateOp, GateResult } from './gate.ts';

const compare: Record<GateOp, (value: number, threshold: number) => boolean> = {
  '<': (v, t) => v < t,
  '<=': (v, t) => v <= t,
  '>': (v, t) => v > t,
  '>=': (v, t) => v >= t,
  '==': (v, t) => v === t,
  '!=': (v, t) => v !== t,
};

/**
 * Judges each gate against the measured metrics. A gate whose metric is missing, undefined or not
 * a finite number FAILS with a reason saying so: an unmeasured gate never passes silently.
 */
export function judgeGates(
  gates: readonly Gate[],
  metrics: Readonly<Record<string, number | undefined>>,
): GateResult[] {
  return gates.map((gate) => judgeGate(gate, metrics));
}

function judgeGate(gate: Gate, metrics: Readonly<Record<string, number | undefined>>): GateResult {
  const key = gate.phase === undefined ? gate.metric : phaseMetricName(gate.phase, gate.metric);
  const value = Object.hasOwn(metrics, key) ? metrics[key] : undefined;
  if (value === undefined || !Number.isFinite(value)) {
    const why = value === undefined ? 'was not measured' : `is not a finite number (${value})`;
    return { ...gate, value: null, passed: false, reason: `metric ${key} ${why}` };
  }
  const passed = compare[gate.op](value, gate.threshold);
  return passed
    ? { ...gate, value, passed }
    : { ...gate, value, passed, reason: `${key} = ${value}, expected ${gate.op} ${gate.threshold}` };
}

/** True when there is at least one gate and every gate passed. */
export function allGatesPassed(results: readonly GateResult[]): boolean {
  return results.length > 0 && results.every((r) => r.passed);
}
