import { z } from 'zod';

const sideValuesSchema = z.object({
  median: z.number(),
  /** One value per completed round, in round order. */
  values: z.array(z.number()),
});

/** One metric compared across both sides. */
export const metricComparisonSchema = z.object({
  metric: z.string().min(1),
  direction: z.enum(['lower', 'higher']),
  /** Relative no-change band, e.g. 0.10 = ±10 %. */
  tolerance: z.number().nonnegative(),
  /** A deterministic counter compared exactly (no interval, no p-value). */
  exact: z.boolean(),
  /** `ratio`: candidate / baseline, no change = 1. `difference`: candidate − baseline, no change = 0. */
  scale: z.enum(['ratio', 'difference']),
  baseline: sideValuesSchema,
  candidate: sideValuesSchema,
  /** Candidate median / baseline median; null on the difference scale. */
  ratio: z.number().nullable(),
  difference: z.number(),
  /** Bootstrap 95 % interval on `scale`; a point for exact metrics. */
  ci95: z.tuple([z.number(), z.number()]),
  /** Two-sided Mann-Whitney U p-value; null for exact metrics. Informational: the verdict uses `ci95`. */
  pValue: z.number().min(0).max(1).nullable(),
  verdict: z.enum(['regression', 'improvement', 'equivalent', 'inconclusive']),
  /** A regression the change means to make (`--accept <metric>`): reported, but it fails nothing. */
  accepted: z.boolean().optional(),
  note: z.string().optional(),
});
export type MetricComparison = z.infer<typeof metricComparisonSchema>;

/** A side of the comparison: the git ref it was built from and the service env it ran with. */
export const comparisonSideSchema = z.object({
  /** Git ref as given (e.g. `main`), or `working tree`. */
  ref: z.string().min(1),
  /** Commit the ref resolved to; absent for the working tree. */
  sha: z.string().optional(),
  /** Extra service env, e.g. `{ worker: { PREFETCH: '50' } }`. */
  env: z.record(z.string(), z.record(z.string(), z.string())),
});
export type ComparisonSide = z.infer<typeof comparisonSideSchema>;

const isoDate = z.iso.datetime({ offset: true });

/** One scenario run of the comparison, in execution order. */
export const comparisonRunSchema = z.object({
  side: z.enum(['baseline', 'candidate']),
  /** 0-based round. */
  round: z.number().int().nonnegative(),
  valid: z.boolean(),
  invalidReason: z.string().optional(),
});

/** `<out>/<scenario>/compare-latest.json`: a scenario run N rounds on each side, metric by metric. */
export const comparisonReportSchema = z.object({
  scenario: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'scenario must be kebab-case'),
  startedAt: isoDate,
  finishedAt: isoDate,
  verdict: z.enum(['regression', 'improvement', 'equivalent', 'inconclusive', 'invalid']),
  /** Why the comparison is invalid. */
  invalidReason: z.string().optional(),
  baseline: comparisonSideSchema,
  candidate: comparisonSideSchema,
  /** Rounds requested per side. */
  rounds: z.number().int().positive(),
  runs: z.array(comparisonRunSchema),
  metrics: z.array(metricComparisonSchema),
});
export type ComparisonReport = z.infer<typeof comparisonReportSchema>;

/** Validates a parsed JSON value; the error lists every problem with its path. */
export function parseComparisonReport(value: unknown): ComparisonReport {
  const parsed = comparisonReportSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid comparison report:\n- ${problems.join('\n- ')}`);
  }
  return parsed.data;
}
