import type { BootstrapOptions } from './compare-statistics.ts';
import type { ComparisonReport, ComparisonSide } from './compare-schema.ts';
import { compareMetric, overallOf, type ComparedMetric } from './compare-verdict.ts';

export type Side = 'baseline' | 'candidate';

/** What a comparison needs from one scenario run (a `LabResult` fits). */
export interface ScenarioResultLike {
  valid: boolean;
  invalidReason?: string;
  metrics: Readonly<Record<string, number>>;
}

/** Typed progress events, for the CLI's progress line and logs. */
export type ComparisonProgress =
  | {
      type: 'run-started';
      side: Side;
      round: number;
      /** 1-based position in the plan. */ run: number;
      runs: number;
    }
  | { type: 'run-finished'; side: Side; round: number; valid: boolean }
  | { type: 'stopped'; reason: string };

export interface RunComparisonOptions {
  scenario: string;
  /** Rounds per side (a round is one run of each side). */
  rounds: number;
  metrics: readonly ComparedMetric[];
  baseline: ComparisonSide;
  candidate: ComparisonSide;
  /** Runs the scenario once on one side; `round` is 0-based. */
  runSide(side: Side, round: number): Promise<ScenarioResultLike>;
  onProgress?(event: ComparisonProgress): void;
  bootstrap?: BootstrapOptions;
  /** Stops before the next run; the comparison is then invalid ("interrupted"). */
  signal?: AbortSignal;
  /** Clock for `startedAt` / `finishedAt`. */
  now?: () => Date;
  /** Metrics whose regression the change means to make (`--accept`): reported, failing nothing. */
  accept?: readonly string[];
}

/**
 * The order of the runs: round k is a pair, baseline first in even rounds and candidate first in
 * odd ones (A B, B A, A B, …). Anything that drifts during a comparison (caches and the JIT warming,
 * the page cache filling, a neighbour's load, thermal throttling) would otherwise always favour the
 * side that runs second; alternating cancels a linear drift over every two rounds.
 */
export function roundOrder(rounds: number): { side: Side; round: number }[] {
  return Array.from({ length: rounds }, (_, round) => {
    const pair: Side[] = round % 2 === 0 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
    return pair.map((side) => ({ side, round }));
  }).flat();
}

function checkOptions(options: RunComparisonOptions): void {
  if (!Number.isInteger(options.rounds) || options.rounds < 1)
    throw new Error(`rounds must be a positive integer, got ${options.rounds}`);
  if (options.metrics.length === 0) throw new Error('a comparison needs at least one metric');
  const names = options.metrics.map((m) => m.metric);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new Error(`metric ${duplicate} is compared twice`);
}

/** Why a run's result cannot be used, or undefined when it can. */
function unusable(result: ScenarioResultLike, metrics: readonly ComparedMetric[]): string | undefined {
  if (!result.valid) return `was invalid: ${result.invalidReason ?? 'no reason recorded'}`;
  for (const { metric } of metrics) {
    const value = Object.hasOwn(result.metrics, metric) ? result.metrics[metric] : undefined;
    if (value === undefined) return `did not measure ${metric}`;
    if (!Number.isFinite(value)) return `measured ${metric} as ${value}, not a finite number`;
  }
  return undefined;
}

/** One run: its values of the compared metrics, or why it cannot be used. */
async function runOnce(
  options: RunComparisonOptions,
  side: Side,
  round: number,
): Promise<{ values: Record<string, number> } | { problem: string }> {
  try {
    const result = await options.runSide(side, round);
    const problem = unusable(result, options.metrics);
    if (problem !== undefined) return { problem };
    return {
      values: Object.fromEntries(
        options.metrics.map(({ metric }) => [metric, result.metrics[metric] as number]),
      ),
    };
  } catch (error) {
    return { problem: `failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

interface Collected {
  values: Record<Side, Record<string, number[]>>;
  runs: ComparisonReport['runs'];
  invalidReason?: string;
}

/** Makes the runs in plan order until one cannot be used (or the signal aborts). */
async function collectRounds(options: RunComparisonOptions): Promise<Collected> {
  const values: Collected['values'] = { baseline: {}, candidate: {} };
  const runs: Collected['runs'] = [];
  const plan = roundOrder(options.rounds);
  for (const [index, { side, round }] of plan.entries()) {
    if (options.signal?.aborted) return { values, runs, invalidReason: 'interrupted' };
    options.onProgress?.({ type: 'run-started', side, round, run: index + 1, runs: plan.length });
    const outcome = await runOnce(options, side, round);
    const valid = 'values' in outcome;
    runs.push({ side, round, valid, ...(valid ? {} : { invalidReason: outcome.problem }) });
    options.onProgress?.({ type: 'run-finished', side, round, valid });
    if (!valid)
      return {
        values,
        runs,
        invalidReason: `${side} round ${round + 1} of ${options.rounds} ${outcome.problem}`,
      };
    for (const [metric, value] of Object.entries(outcome.values)) (values[side][metric] ??= []).push(value);
  }
  return { values, runs };
}

/**
 * Runs the scenario `rounds` times on each side in the order of {@link roundOrder}, collects each
 * compared metric per round and judges it. The first run that throws, is invalid or lacks a
 * compared metric stops the comparison: the report is then `invalid` with the reason and no
 * metric verdicts, because a comparison with a hole in one side is not a comparison.
 */
export async function runComparison(options: RunComparisonOptions): Promise<ComparisonReport> {
  checkOptions(options);
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const { values, runs, invalidReason } = await collectRounds(options);
  if (invalidReason !== undefined) options.onProgress?.({ type: 'stopped', reason: invalidReason });
  const accepted = new Set(options.accept ?? []);
  const metrics =
    invalidReason === undefined
      ? options.metrics.map((spec) => {
          const compared = compareMetric(
            spec,
            values.baseline[spec.metric] ?? [],
            values.candidate[spec.metric] ?? [],
            options.bootstrap,
          );
          return accepted.has(spec.metric) && compared.verdict === 'regression'
            ? { ...compared, accepted: true, note: 'regression accepted (--accept): the change means it' }
            : compared;
        })
      : [];
  return {
    scenario: options.scenario,
    startedAt,
    finishedAt: now().toISOString(),
    verdict: overallOf(invalidReason !== undefined, metrics),
    ...(invalidReason !== undefined ? { invalidReason } : {}),
    baseline: options.baseline,
    candidate: options.candidate,
    rounds: options.rounds,
    runs,
    metrics,
  };
}
