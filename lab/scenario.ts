import type { ComparedMetric } from './compare/compare-verdict.ts';
import type { Gate } from './gates/gate.ts';
import type { AlertGate } from './probes/alerts.ts';
import type { ScenarioContext } from './experiment/context.ts';
import type { ServiceEnvs } from './target/target.ts';

/** Values a scenario option can take on the command line. */
export type OptionValue = number | string | boolean;

/** A scenario-specific command-line option, e.g. `--wave-size 1000`. */
export interface ScenarioOption {
  type: 'number' | 'string' | 'boolean';
  default: OptionValue;
  description: string;
  /** Allowed values for a string option. */
  choices?: readonly string[];
}

/**
 * The options every run has. Durations in milliseconds, rates in requests per second. The CLI's
 * `--duration 30s`, `--rate 200`, `--listeners 50` override the scenario's defaults.
 */
export interface CommonOptions {
  durationMs: number;
  rate: number;
  listeners: number;
  seed: number;
}

/** Resolved options: the common ones plus the scenario's own, keyed by option name (camelCase). */
export type RunOptions = CommonOptions & Record<string, OptionValue>;

export interface ScenarioDefaults extends Omit<CommonOptions, 'seed'> {
  /** Why these numbers: what they mean on this 2-core machine (shown by `--help`). */
  sizing: string;
}

/** When a steady-state check runs (Chaos Toolkit's steady-state hypothesis). */
export type SteadyStateWhen = 'before' | 'during' | 'after';

export interface SteadyStateCheck {
  name: string;
  /** Default: before and after. `during` runs at the end of every phase. */
  when?: readonly SteadyStateWhen[];
  /** True (or `{ok: true}`) when the system is in its steady state. Must not throw for "no". */
  probe(ctx: ScenarioContext): Promise<boolean | { ok: boolean; detail?: string }>;
}

/**
 * A timed step of the method. The phase ends when `run` (if any) has resolved AND `durationMs`
 * (if any) has elapsed since it began, so `{durationMs}` alone is "let the background load run".
 * `state` is what the scenario's `setup` returned for this run.
 */
export interface Phase<State = undefined> {
  name: string;
  durationMs?: number | ((options: RunOptions) => number);
  run?(ctx: ScenarioContext, state: State): Promise<void>;
}

/**
 * A fault injected at an exact offset into a phase. `rollback` ALWAYS runs: after `durationMs`
 * when given, otherwise at the end of the run, and on abort or error; `/reset` follows anyway.
 */
export interface Fault<State = undefined> {
  name: string;
  /** Phase the offset is counted from. */
  phase: string;
  /** Offset from the start of `phase`, milliseconds (or from the options). Default 0. */
  atMs?: number | ((options: RunOptions) => number);
  /** How long the fault stays, milliseconds (or from the options); omitted: until the end of the run. */
  durationMs?: number | ((options: RunOptions) => number);
  /** One line for reports and annotations, e.g. `rabbitmq: proxy disabled (connection refused)`. */
  description: string;
  apply(ctx: ScenarioContext, state: State): Promise<void>;
  rollback(ctx: ScenarioContext, state: State): Promise<void>;
}

/**
 * One run of the phases with its own service configuration; a scenario with variants runs its
 * phases once per variant (the target restarts services with `env` between them), and phase names
 * become `<variant>-<phase>`.
 */
export interface Variant {
  name: string;
  env: ServiceEnvs;
}

/**
 * A named experiment, declared as data: hypothesis, defaults, steady state, phases, faults, gates.
 * `State` is the scenario's per-run state: `setup` creates it and every phase, fault and `collect`
 * of that run receives it, so nothing is kept between runs.
 */
export interface Scenario<State = undefined> {
  /** kebab-case; the report folder name. */
  name: string;
  /** One line: what the run is expected to show. */
  hypothesis: string;
  defaults: ScenarioDefaults;
  options?: Readonly<Record<string, ScenarioOption>>;
  /** Service environment for the whole run (e.g. `{api: {DEDUPE_MODE: 'cache'}}`). */
  env?: ServiceEnvs | ((options: RunOptions) => ServiceEnvs);
  /** Fixed, or chosen from the options (e.g. `--publish-mode direct` runs only the direct variants). */
  variants?: readonly Variant[] | ((options: RunOptions) => readonly Variant[]);
  steadyState?: readonly SteadyStateCheck[];
  /**
   * Runs once before the first phase (seed data, connect listeners) and returns the run's state.
   * Not timed as a phase. Required when `State` is more than `undefined`.
   */
  setup?(ctx: ScenarioContext): Promise<State>;
  phases: readonly Phase<State>[];
  faults?: readonly Fault<State>[];
  /** Gates judged on the final metrics; a gate with `phase` reads `phase.<phase>.<metric>`. */
  gates: readonly Gate[] | ((options: RunOptions) => readonly Gate[]);
  /**
   * Alerts that must follow a fault (fire after it, resolve after its rollback), judged when the
   * run is given a Prometheus with the lab's rules (`--prometheus <url>`).
   */
  alertGates?: readonly AlertGate[];
  /**
   * What `--compare` / `--baseline-env` / `--candidate-env` compare between two builds or
   * configurations: result metrics with the direction that is better and the change that is noise.
   */
  compare?: readonly ComparedMetric[];
  /** Runs after the last phase (and the rollbacks): compute result metrics with `ctx.metric`. */
  collect?(ctx: ScenarioContext, state: State): Promise<void>;
}

/** A scenario of any state, as the registry and the engine hold it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the engine passes each scenario its own state back
export type AnyScenario = Scenario<any>;

/** The variants a run with `options` goes through (empty: one run without a variant). */
export function variantsOf(scenario: AnyScenario, options: RunOptions): readonly Variant[] {
  return typeof scenario.variants === 'function' ? scenario.variants(options) : (scenario.variants ?? []);
}

/** When `fault` is applied with `options`, milliseconds after its phase starts. */
export function faultOffsetMs(fault: Fault<unknown>, options: RunOptions): number {
  return typeof fault.atMs === 'function' ? fault.atMs(options) : (fault.atMs ?? 0);
}

/** How long `fault` stays with `options`; undefined: until the end of the run. */
export function faultDurationMs(fault: Fault<unknown>, options: RunOptions): number | undefined {
  return typeof fault.durationMs === 'function' ? fault.durationMs(options) : fault.durationMs;
}

/** Identity helper that checks a scenario against {@link Scenario} and infers its state type. */
export function defineScenario<State = undefined>(scenario: Scenario<State>): AnyScenario {
  return scenario;
}
