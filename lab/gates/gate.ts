import { z } from 'zod';

export { phaseMetricName } from '../metrics/metric-names.ts';

export const gateOps = ['<', '<=', '>', '>=', '==', '!='] as const;
export type GateOp = (typeof gateOps)[number];

/** A pass/fail rule on one metric, declared as data (k6 thresholds / artillery `ensure`). */
export const gateSchema = z.object({
  /** Human-readable, e.g. `p99 stays under 250 ms while Redis is down`. */
  name: z.string().min(1),
  /** Dotted metric name, e.g. `http.latency.p99Ms`. */
  metric: z.string().min(1),
  op: z.enum(gateOps),
  threshold: z.number(),
  /** When set, the metric is read for this phase only (see {@link phaseMetricName}). */
  phase: z.string().min(1).optional(),
});
export type Gate = z.infer<typeof gateSchema>;

/** The verdict on one gate; `value` is null when the metric was not measured (and the gate fails). */
export const gateResultSchema = gateSchema.extend({
  value: z.number().nullable(),
  passed: z.boolean(),
  /** Why a gate failed, in words. */
  reason: z.string().optional(),
});
export type GateResult = z.infer<typeof gateResultSchema>;

/** Validates gates once, listing every problem, e.g. when a scenario declares them. */
export function defineGates(gates: readonly Gate[]): Gate[] {
  const parsed = z.array(gateSchema).safeParse(gates);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid gates:\n- ${problems.join('\n- ')}`);
  }
  const names = new Set<string>();
  for (const gate of parsed.data) {
    if (names.has(gate.name)) throw new Error(`invalid gates: duplicate gate name "${gate.name}"`);
    names.add(gate.name);
  }
  return parsed.data;
}
