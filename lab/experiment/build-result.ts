import type { AnyScenario, RunOptions } from '../scenario.ts';
import type { GateResult } from '../gates/gate.ts';
import type { PhaseRecorder } from '../metrics/phase-recorder.ts';
import { collectMachineInfo } from '../report/machine-info.ts';
import type { LabResult, LatencyPoint, Timeline } from '../report/result-schema.ts';
import type { PhaseClock } from './phase-clock.ts';
import type { ServiceSampler } from './service-sampler.ts';
import { compiledRuntime } from '../target/service-build.ts';

export interface BuildResultInput {
  scenario: AnyScenario;
  options: RunOptions;
  target: 'local' | 'compose';
  startedAt: string;
  startedMs: number;
  metrics: Record<string, number>;
  gates: GateResult[];
  passed: boolean;
  invalidReasons: string[];
  clock: PhaseClock;
  recorder: PhaseRecorder;
  sampler: ServiceSampler;
  /** End-to-end notification latency per transport over time (optional: runs without listeners). */
  notificationLatency?: readonly LatencyPoint[];
  notes: string[];
}

/** Assembles the result JSON (lab/report/result-schema.ts) from the run's recorders. */
export function buildResult(input: BuildResultInput): LabResult {
  const { clock, startedMs } = input;
  const rel = (ms: number): number => Math.max(0, ms - startedMs);
  const faults = clock.faults();
  const phases = clock.phases().map((p) => {
    const end = p.endMs ?? Date.now();
    const active = faults.filter(
      (f) => f.appliedMs !== undefined && f.appliedMs < end && (f.rolledBackMs ?? Infinity) > p.startMs,
    );
    return {
      name: p.name,
      startMs: rel(p.startMs),
      endMs: rel(end),
      ...(active.length ? { fault: active.map((f) => f.description).join('; ') } : {}),
    };
  });
  for (const f of faults) {
    if (f.appliedMs !== undefined) input.metrics[`fault.${f.name}.appliedAtMs`] = rel(f.appliedMs);
    if (f.rolledBackMs !== undefined) input.metrics[`fault.${f.name}.rolledBackAtMs`] = rel(f.rolledBackMs);
  }
  const series = input.sampler.sampler.timeline();
  const timeline: Timeline = {
    latency: [
      ...input.recorder
        .timeline()
        .map((p) => ({ tSec: p.tSec, p50Ms: p.p50Ms, p99Ms: p.p99Ms, series: 'http', count: p.count })),
      ...(input.notificationLatency ?? []),
    ],
    breaker: breakerChanges(input.sampler.breakers()),
    hitRate: (series['api.dedupe.hitRate'] ?? []).map((p) => ({
      tSec: p.tSec,
      hitRate: Math.min(1, Math.max(0, p.value)),
      series: 'server',
    })),
    series: Object.fromEntries(
      Object.entries(series).filter(([name, points]) => name !== 'api.dedupe.hitRate' && points.length > 0),
    ),
  };
  const finite = Object.fromEntries(Object.entries(input.metrics).filter(([, v]) => Number.isFinite(v)));
  return {
    scenario: input.scenario.name,
    startedAt: input.startedAt,
    finishedAt: new Date().toISOString(),
    target: input.target,
    passed: input.passed,
    valid: input.invalidReasons.length === 0,
    ...(input.invalidReasons.length ? { invalidReason: input.invalidReasons.join('; ') } : {}),
    options: { ...input.options },
    machine: {
      ...collectMachineInfo(),
      services:
        input.target === 'local' ? compiledRuntime : 'the compose stack’s images (Dockerfile, compiled)',
    },
    // When each fault was really applied and rolled back (charts shade these, not phase bounds).
    faults: faults.flatMap((f) =>
      f.appliedMs === undefined
        ? []
        : [
            {
              name: f.name,
              description: f.description,
              appliedTSec: rel(f.appliedMs) / 1000,
              ...(f.rolledBackMs !== undefined ? { rolledBackTSec: rel(f.rolledBackMs) / 1000 } : {}),
            },
          ],
    ),
    gates: input.gates,
    metrics: finite,
    phases,
    timeline,
    notes: [
      `hypothesis: ${input.scenario.hypothesis}`,
      `defaults: ${input.scenario.defaults.sizing}`,
      ...input.notes,
    ],
  };
}

/** Keeps each breaker's first point, every state change and its last point (the sampler polls every 250 ms). */
function breakerChanges<T extends { breaker: string; state: string }>(points: readonly T[]): T[] {
  const lastIndex = new Map<string, number>();
  points.forEach((p, i) => lastIndex.set(p.breaker, i));
  const state = new Map<string, string>();
  return points.filter((p, i) => {
    const keep = state.get(p.breaker) !== p.state || lastIndex.get(p.breaker) === i;
    state.set(p.breaker, p.state);
    return keep;
  });
}
