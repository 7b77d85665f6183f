import { setTimeout as sleep } from 'node:timers/promises';
import type { Gate } from '../gates/gate.ts';
import type { AnyScenario, Fault, Phase, SteadyStateCheck, SteadyStateWhen } from '../scenario.ts';
import { faultDurationMs, faultOffsetMs, variantsOf } from '../scenario.ts';
import type { AnnotationLog } from '../exporter/annotations.ts';
import type { LabExporter } from '../exporter/lab-metrics.ts';
import type { ScenarioContext } from './context.ts';
import type { PhaseClock } from './phase-clock.ts';

/** The system was not in its steady state before the experiment: nothing to learn, exit 2. */
export class SteadyStateError extends Error {
  override name = 'SteadyStateError';
}

export interface ExperimentDeps {
  scenario: AnyScenario;
  ctx: ScenarioContext;
  clock: PhaseClock;
  exporter: LabExporter;
  annotations: AnnotationLog;
  backgrounds: Map<string, Promise<unknown>>;
  log(message: string): void;
}

const metricOf = (when: SteadyStateWhen, name: string): string => `steadyState.${when}.${name}`;

/** Gates implied by the steady-state hypothesis: every declared check holds when it runs. */
export function steadyStateGates(checks: readonly SteadyStateCheck[] = []): Gate[] {
  return checks.flatMap((check) =>
    (check.when ?? ['before', 'after']).map((when) => ({
      name: `steady state "${check.name}" holds (${when})`,
      metric: metricOf(when, check.name),
      op: '==' as const,
      threshold: 1,
    })),
  );
}

async function checkSteadyState(deps: ExperimentDeps, when: SteadyStateWhen): Promise<string[]> {
  const failures: string[] = [];
  for (const check of deps.scenario.steadyState ?? []) {
    if (!(check.when ?? ['before', 'after']).includes(when)) continue;
    let ok = false;
    let detail = '';
    try {
      const outcome = await check.probe(deps.ctx);
      ok = typeof outcome === 'boolean' ? outcome : outcome.ok;
      detail = typeof outcome === 'boolean' ? '' : (outcome.detail ?? '');
    } catch (error) {
      detail = (error as Error).message;
    }
    const key = metricOf(when, check.name);
    // `during` runs after every phase: it holds only if it held every time.
    const previous = deps.ctx.metrics()[key];
    deps.ctx.metric(key, ok && previous !== 0 ? 1 : 0);
    if (!ok) failures.push(`${check.name}${detail ? `: ${detail}` : ''}`);
    deps.log(
      `steady state (${when}) ${check.name}: ${ok ? 'holds' : 'VIOLATED'}${detail ? ` (${detail})` : ''}`,
    );
  }
  return failures;
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}

interface FaultRun {
  fault: Fault<unknown>;
  name: string;
  timers: NodeJS.Timeout[];
  applying?: Promise<void>;
  applied: boolean;
  rolledBack: boolean;
}

function faultController(deps: ExperimentDeps, state: unknown) {
  const runs: FaultRun[] = [];
  const rollback = async (run: FaultRun): Promise<void> => {
    run.timers.forEach(clearTimeout);
    await run.applying?.catch(() => undefined);
    if (!run.applied || run.rolledBack) return;
    run.rolledBack = true;
    try {
      await run.fault.rollback(deps.ctx, state);
    } catch (error) {
      deps.log(`fault ${run.name}: rollback failed (${(error as Error).message}); /reset follows`);
    }
    const record = deps.clock.fault(run.name, run.fault.description);
    record.rolledBackMs = Date.now();
    deps.exporter.setFault(run.name, false);
    deps.annotations.add({ kind: 'fault', name: run.name, event: 'end', detail: run.fault.description });
  };
  const apply = (run: FaultRun): void => {
    run.applying = (async () => {
      if (deps.ctx.signal.aborted) return;
      const record = deps.clock.fault(run.name, run.fault.description);
      record.appliedMs = Date.now();
      deps.annotations.add({ kind: 'fault', name: run.name, event: 'start', detail: run.fault.description });
      deps.exporter.setFault(run.name, true);
      run.applied = true;
      await run.fault.apply(deps.ctx, state);
      const durationMs = faultDurationMs(run.fault, deps.ctx.options);
      if (durationMs !== undefined) {
        run.timers.push(setTimeout(() => void rollback(run), durationMs));
      }
    })().catch((error: unknown) => deps.log(`fault ${run.name}: apply failed (${(error as Error).message})`));
  };
  return {
    /** Schedules the faults of `phase` at their offsets from now. */
    schedule(phase: string, prefix: string | undefined) {
      for (const fault of deps.scenario.faults ?? []) {
        if (fault.phase !== phase) continue;
        const run: FaultRun = {
          fault,
          name: prefix ? `${prefix}-${fault.name}` : fault.name,
          timers: [],
          applied: false,
          rolledBack: false,
        };
        runs.push(run);
        run.timers.push(setTimeout(() => apply(run), faultOffsetMs(fault, deps.ctx.options)));
      }
    },
    /** Rolls back everything still applied; never throws. */
    async rollbackAll() {
      await Promise.all(runs.map(rollback));
    },
  };
}

async function runPhase(
  deps: ExperimentDeps,
  phase: Phase<unknown>,
  name: string,
  faults: ReturnType<typeof faultController>,
  state: unknown,
): Promise<void> {
  const { ctx, clock } = deps;
  const startMs = Date.now();
  clock.begin(name, startMs);
  deps.exporter.setPhase(name, true);
  deps.annotations.add({ kind: 'phase', name, event: 'start', time: startMs });
  faults.schedule(phase.name, ctx.variant);
  const durationMs =
    typeof phase.durationMs === 'function' ? phase.durationMs(ctx.options) : phase.durationMs;
  try {
    await Promise.all([
      phase.run ? Promise.race([phase.run(ctx, state), abortPromise(ctx.signal)]) : undefined,
      durationMs !== undefined ? wait(durationMs, ctx.signal) : undefined,
    ]);
  } finally {
    const endMs = Date.now();
    clock.end(name, endMs);
    deps.exporter.setPhase(name, false);
    deps.annotations.add({ kind: 'phase', name, event: 'end', time: endMs });
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(new Error('run aborted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/**
 * Runs the experiment: steady state before → setup → phases (per variant) with faults at their
 * offsets → rollbacks (always) → background work → steady state after → measure → collect.
 * Throws SteadyStateError when the system is not in its steady state before the experiment.
 */
export async function runExperiment(
  deps: ExperimentDeps,
  restart: (variantIndex: number) => Promise<void>,
  /** Computes the standard metrics, after the background work and before `collect`. */
  measure: () => Promise<void>,
): Promise<void> {
  const { scenario, ctx } = deps;
  const before = await checkSteadyState(deps, 'before');
  if (before.length)
    throw new SteadyStateError(`steady state does not hold before the experiment: ${before.join('; ')}`);
  // The run's own state: what setup returned, handed to every phase, fault and collect of this run.
  const state: unknown = await scenario.setup?.(ctx);
  const faults = faultController(deps, state);
  const listed = variantsOf(scenario, ctx.options);
  const variants = listed.length ? listed : [undefined];
  try {
    for (const [index, variant] of variants.entries()) {
      if (ctx.signal.aborted) break;
      deps.clock.setVariant(variant?.name);
      if (variant) await restart(index);
      for (const phase of scenario.phases) {
        if (ctx.signal.aborted) break;
        await runPhase(deps, phase, variant ? `${variant.name}-${phase.name}` : phase.name, faults, state);
        await checkSteadyState(deps, 'during');
      }
      await faults.rollbackAll();
    }
  } finally {
    await faults.rollbackAll();
    await ctx.target.toxiproxy
      .reset()
      .catch((error: Error) => deps.log(`toxiproxy /reset failed: ${error.message}`));
  }
  if (ctx.signal.aborted) return;
  for (const [name, work] of deps.backgrounds) {
    try {
      await work;
    } catch (error) {
      ctx.note(`background "${name}" failed: ${(error as Error).message}`);
    }
  }
  await checkSteadyState(deps, 'after');
  await measure();
  await scenario.collect?.(ctx, state);
}
