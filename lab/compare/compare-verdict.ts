import { compareMedians, mannWhitneyU, median, type BootstrapOptions } from './compare-statistics.ts';
import type { MetricComparison } from './compare-schema.ts';

/** Which way is better for a metric: `lower` (latency, cost) or `higher` (throughput, hit rate). */
export type Direction = 'lower' | 'higher';
export type MetricVerdict = 'regression' | 'improvement' | 'equivalent' | 'inconclusive';
export type ComparisonVerdict = MetricVerdict | 'invalid';

/** A metric a comparison judges, declared as data like a gate. */
export interface ComparedMetric {
  /** Dotted metric name, as in a run result's `metrics`. */
  metric: string;
  direction: Direction;
  /** Relative change still counted as no change, e.g. 0.10 = ±10 %. */
  tolerance: number;
  /**
   * A deterministic cost counter (SQL statements per write, AMQP publishes per write, Redis commands
   * per write, backend reads per burst, bytes per notification per listener): compared exactly on
   * the medians, no statistics, any change beyond `tolerance` (usually 0) counts.
   */
  exact?: boolean;
  /**
   * Change in the metric's own unit still counted as no change when there is no ratio because the
   * baseline is zero (or values are negative). Default 0: any change that the interval is sure of.
   */
  absoluteTolerance?: number;
}

/** Relative slack for exact metrics, so that 0.1 + 0.2 against 0.3 is not a regression. */
export const EXACT_EPSILON = 1e-9;

/** Below this many rounds per side a statistical metric is `inconclusive`: the bootstrap has nothing to resample. */
export const MIN_STATISTICAL_ROUNDS = 3;

/**
 * Judges an interval (on the ratio, where no change is 1, or on the difference, where it is 0)
 * against the no-change band: regression or improvement only when the whole interval lies beyond
 * the band on one side, equivalent when it lies wholly inside, otherwise inconclusive.
 */
export function judgeInterval(
  spec: Pick<ComparedMetric, 'direction' | 'tolerance' | 'absoluteTolerance'>,
  scale: 'ratio' | 'difference',
  [low, high]: readonly [number, number],
): MetricVerdict {
  const [bandLow, bandHigh] =
    scale === 'ratio'
      ? [1 - spec.tolerance, 1 + spec.tolerance]
      : [-(spec.absoluteTolerance ?? 0), spec.absoluteTolerance ?? 0];
  const above = low > bandHigh;
  const below = high < bandLow;
  if (above || below) return above === (spec.direction === 'lower') ? 'regression' : 'improvement';
  return low >= bandLow && high <= bandHigh ? 'equivalent' : 'inconclusive';
}

/** Exact comparison of two medians of a deterministic counter. */
export function judgeExact(
  spec: Pick<ComparedMetric, 'direction' | 'tolerance'>,
  baselineMedian: number,
  candidateMedian: number,
): MetricVerdict {
  const slack =
    Math.abs(baselineMedian) * spec.tolerance + Math.abs(baselineMedian) * EXACT_EPSILON + EXACT_EPSILON;
  const change = candidateMedian - baselineMedian;
  if (Math.abs(change) <= slack) return 'equivalent';
  return change > 0 === (spec.direction === 'lower') ? 'regression' : 'improvement';
}

/** A deterministic counter: medians set against each other, no interval, no p-value. */
function compareExactMetric(
  spec: ComparedMetric,
  baseline: readonly number[],
  candidate: readonly number[],
): MetricComparison {
  const b = median(baseline);
  const c = median(candidate);
  const ratio = b > 0 && c >= 0 ? c / b : null;
  const point = ratio ?? c - b;
  const varied = [baseline, candidate].some((values) => new Set(values).size > 1);
  return {
    metric: spec.metric,
    direction: spec.direction,
    tolerance: spec.tolerance,
    exact: true,
    scale: ratio === null ? 'difference' : 'ratio',
    baseline: { median: b, values: [...baseline] },
    candidate: { median: c, values: [...candidate] },
    ratio,
    difference: c - b,
    ci95: [point, point],
    pValue: null,
    verdict: judgeExact(spec, b, c),
    ...(varied ? { note: 'an exact counter varied between rounds of one side; medians compared' } : {}),
  };
}

/** Compares one metric's per-round values of both sides (each non-empty) and judges it. */
export function compareMetric(
  spec: ComparedMetric,
  baseline: readonly number[],
  candidate: readonly number[],
  bootstrap: BootstrapOptions = {},
): MetricComparison {
  if (spec.exact) return compareExactMetric(spec, baseline, candidate);
  const medians = compareMedians(baseline, candidate, bootstrap);
  const tooFew = Math.min(baseline.length, candidate.length) < MIN_STATISTICAL_ROUNDS;
  return {
    metric: spec.metric,
    direction: spec.direction,
    tolerance: spec.tolerance,
    exact: false,
    scale: medians.scale,
    baseline: { median: medians.baselineMedian, values: [...baseline] },
    candidate: { median: medians.candidateMedian, values: [...candidate] },
    ratio: medians.ratio,
    difference: medians.difference,
    ci95: medians.ci95,
    pValue: mannWhitneyU(baseline, candidate).pValue,
    verdict: tooFew ? 'inconclusive' : judgeInterval(spec, medians.scale, medians.ci95),
    ...(tooFew ? { note: `fewer than ${MIN_STATISTICAL_ROUNDS} rounds per side` } : {}),
  };
}

/**
 * The comparison's verdict: `invalid` when any round of either side was invalid (or the comparison
 * could not be made); else `regression` when any metric regressed; else `improvement` when any
 * improved; else `equivalent` when every metric is equivalent; else `inconclusive`.
 */
export function overallVerdict(invalid: boolean, verdicts: readonly MetricVerdict[]): ComparisonVerdict {
  if (invalid || verdicts.length === 0) return 'invalid';
  if (verdicts.includes('regression')) return 'regression';
  if (verdicts.includes('improvement')) return 'improvement';
  return verdicts.every((v) => v === 'equivalent') ? 'equivalent' : 'inconclusive';
}

/**
 * The verdict the whole comparison takes from its metrics: an accepted regression (a change the
 * author meant, `--accept`) still shows as a regression on its metric, but counts as no verdict.
 */
export function overallOf(
  invalid: boolean,
  metrics: readonly { verdict: MetricVerdict; accepted?: boolean | undefined }[],
): ComparisonVerdict {
  return overallVerdict(
    invalid,
    metrics.map((m) => (m.accepted && m.verdict === 'regression' ? 'inconclusive' : m.verdict)),
  );
}

/** Process exit code: 0 nothing regressed · 1 a metric regressed · 2 no valid comparison. */
export function exitCodeFor(verdict: ComparisonVerdict): 0 | 1 | 2 {
  if (verdict === 'regression') return 1;
  return verdict === 'invalid' ? 2 : 0;
}
