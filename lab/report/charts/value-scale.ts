/** A maximum this many times the body of the data switches a value axis to log scale. */
export const OUTLIER_FACTOR = 5;

/** Nearest-rank percentile (0..100) of `values`; undefined when there are none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * Linear, or log when the largest value is more than `OUTLIER_FACTOR` times the 90th percentile
 * of the plotted values: on a linear axis one 2 s outlier squeezes a 20 ms body into the bottom
 * pixel row, on a log axis both stay readable. Log needs positive values; zeros fall off it, so
 * a chart with zeros keeps the linear axis.
 */
export function valueScale(values: readonly number[]): { type: 'linear' | 'log' } {
  const body = percentile(values, 90);
  const max = Math.max(...values);
  const positive = values.every((v) => v > 0);
  if (body === undefined || !positive || max <= OUTLIER_FACTOR * body) return { type: 'linear' };
  return { type: 'log' };
}
