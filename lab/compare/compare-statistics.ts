// The statistics of a comparison: medians, a bootstrap interval on the candidate/baseline ratio of
// medians, and the Mann-Whitney U test. Own code rather than a library, because none fits:
// - simple-statistics (no dependencies, widely used) gives the rank-sum statistic
//   (`wilcoxonRankSum`) but no p-value and no exact null distribution, and its normal CDF is a
//   table lookup with four decimals, too coarse for small p-values;
// - @stdlib only ships the paired signed-rank test (`stats-wilcoxon`), not the two-sample one;
// - jStat has a normal CDF but no rank test and brings the whole library for one function;
// - the small Mann-Whitney packages on npm are unmaintained and give normal approximations only.
// What is needed is short (exact distribution by counting, normal approximation with the tie and
// continuity corrections that R's wilcox.test applies, one erfc), has no dependencies and is
// checked against known values in compare-statistics.test.ts.
import { createSeededRandom } from '../faults/random.ts';

/** Median of a non-empty sample (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Linear-interpolation quantile (R's type 7) of an ascending, non-empty array; `p` in [0, 1]. */
export function quantileSorted(sorted: readonly number[], p: number): number {
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const lower = sorted[below] as number;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return lower + (upper - lower) * (position - below);
}

export interface BootstrapOptions {
  /** Resamples of both sides (default 10,000). */
  resamples?: number;
  /** PRNG seed, so the same samples always give the same interval (default 1). */
  seed?: number;
}

/**
 * How the two medians are set against each other. `ratio`: candidate / baseline. `difference`:
 * candidate − baseline, in the metric's own unit, used when a ratio has no stable meaning: the
 * baseline median is 0 (or could resample to 0), or a value is negative.
 */
export type ComparisonScale = 'ratio' | 'difference';

export interface MedianComparison {
  scale: ComparisonScale;
  baselineMedian: number;
  candidateMedian: number;
  /** candidate median / baseline median; null on the difference scale. */
  ratio: number | null;
  /** candidate median − baseline median. */
  difference: number;
  /** Bootstrap 95 % percentile interval of the ratio (or of the difference), [low, high]. */
  ci95: [number, number];
}

function resampledMedian(values: readonly number[], random: () => number, scratch: number[]): number {
  for (let i = 0; i < values.length; i += 1)
    scratch[i] = values[Math.floor(random() * values.length)] as number;
  return median(scratch);
}

/**
 * Compares the medians of two non-empty samples with a percentile bootstrap that resamples each
 * side independently (with replacement, same size). The interval is on the ratio of medians when
 * every value is ≥ 0 and no baseline resample has a zero median; otherwise on the difference of
 * medians, where "no change" is 0 instead of 1.
 */
export function compareMedians(
  baseline: readonly number[],
  candidate: readonly number[],
  options: BootstrapOptions = {},
): MedianComparison {
  const resamples = options.resamples ?? 10_000;
  const random = createSeededRandom(options.seed ?? 1);
  const baselineMedian = median(baseline);
  const candidateMedian = median(candidate);
  const pairs: [number, number][] = [];
  const scratchA = new Array<number>(baseline.length);
  const scratchB = new Array<number>(candidate.length);
  for (let i = 0; i < resamples; i += 1) {
    pairs.push([resampledMedian(baseline, random, scratchA), resampledMedian(candidate, random, scratchB)]);
  }
  const nonNegative = [...baseline, ...candidate].every((v) => v >= 0);
  const ratioScale = nonNegative && baselineMedian > 0 && pairs.every(([b]) => b > 0);
  const stats = pairs.map(([b, c]) => (ratioScale ? c / b : c - b)).sort((x, y) => x - y);
  return {
    scale: ratioScale ? 'ratio' : 'difference',
    baselineMedian,
    candidateMedian,
    ratio: ratioScale ? candidateMedian / baselineMedian : null,
    difference: candidateMedian - baselineMedian,
    ci95: [quantileSorted(stats, 0.025), quantileSorted(stats, 0.975)],
  };
}

/** Chebyshev coefficients of the erfc fit below, highest power first. */
const erfcCoefficients = [
  0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196,
  1.00002368, -1.26551223,
];

/**
 * Complementary error function from a Chebyshev fit with fractional error below 1.2e-7 everywhere,
 * ample for a p-value.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly = erfcCoefficients.reduce((sum, c) => sum * t + c, 0);
  const value = t * Math.exp(-z * z + poly);
  return x >= 0 ? value : 2 - value;
}

/** Standard normal cumulative distribution function. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Null distribution of U for sample sizes m and n without ties: the number of arrangements giving
 * each U = 0..m·n, i.e. the coefficients of the Gaussian binomial [m+n choose m] in q, built as
 * ∏ᵢ (1 − q^(n+i)) / (1 − q^i). Counts are doubles; for m, n < 50 their rounding error is far
 * below any p-value that matters.
 */
export function exactUCounts(m: number, n: number): number[] {
  const size = m * n + 1;
  const counts = new Array<number>(size).fill(0);
  counts[0] = 1;
  for (let i = 1; i <= m; i += 1) {
    for (let k = size - 1; k >= n + i; k -= 1)
      counts[k] = (counts[k] as number) - (counts[k - n - i] as number);
    for (let k = i; k < size; k += 1) counts[k] = (counts[k] as number) + (counts[k - i] as number);
  }
  return counts;
}

export interface MannWhitneyResult {
  /** U of the candidate: pairs where the candidate value is greater, ties counted as half. */
  u: number;
  /** Two-sided p-value. */
  pValue: number;
  /** `exact` without ties and with both samples under 50 values; else `normal`. */
  method: 'exact' | 'normal';
}

/** Average ranks (1-based) of `values`, ties sharing the mean of their positions. */
function averageRanks(values: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  const tieSizes: number[] = [];
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.[0] === order[start]?.[0]) end += 1;
    for (let k = start; k <= end; k += 1)
      ranks[(order[k] as readonly [number, number])[1]] = (start + end) / 2 + 1;
    if (end > start) tieSizes.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, tieSizes };
}

/**
 * Two-sided Mann-Whitney U (Wilcoxon rank-sum) test of baseline against candidate, the same
 * p-values as R's `wilcox.test(candidate, baseline)`: exact when there are no ties and both samples
 * have fewer than 50 values, otherwise the normal approximation with the tie correction of the
 * variance and a continuity correction of 0.5.
 */
export function mannWhitneyU(baseline: readonly number[], candidate: readonly number[]): MannWhitneyResult {
  const m = candidate.length;
  const n = baseline.length;
  if (m === 0 || n === 0) throw new Error('Mann-Whitney U needs two non-empty samples');
  const { ranks, tieSizes } = averageRanks([...candidate, ...baseline]);
  const rankSum = ranks.slice(0, m).reduce((sum, r) => sum + r, 0);
  const u = rankSum - (m * (m + 1)) / 2;
  if (tieSizes.length === 0 && m < 50 && n < 50) {
    // The distribution is symmetric about m·n / 2: sum the smaller tail from the low end, whose
    // counts are exact, so even a p-value of 1e-23 keeps its precision.
    const counts = exactUCounts(m, n);
    const total = counts.reduce((sum, c) => sum + c, 0);
    const tail = counts.slice(0, Math.min(u, m * n - u) + 1).reduce((sum, c) => sum + c, 0) / total;
    return { u, pValue: Math.min(1, 2 * tail), method: 'exact' };
  }
  const total = m + n;
  const tieTerm = tieSizes.reduce((sum, t) => sum + t ** 3 - t, 0) / (total * (total - 1));
  const sigma = Math.sqrt(((m * n) / 12) * (total + 1 - tieTerm));
  if (sigma === 0) return { u, pValue: 1, method: 'normal' };
  const shift = u - (m * n) / 2;
  const z = (shift - Math.sign(shift) * 0.5) / sigma;
  return { u, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))), method: 'normal' };
}
