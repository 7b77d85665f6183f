/**
 * Name under which a phase's value of `metric` is stored in a result's metrics record:
 * `phase.<phase>.<metric>`, e.g. `phase.redis-down.http.latency.p99Ms`. Gates with a `phase`
 * read this name, so producers and gates must both build it here.
 */
export function phaseMetricName(phase: string, metric: string): string {
  return `phase.${phase}.${metric}`;
}

/** The numeric fields of `values` under dotted names: `{a: 1}` with prefix `x.y` → `{'x.y.a': 1}`. */
export function prefixKeys<T extends object>(prefix: string, values: T): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(values) as (keyof T & string)[]) {
    const value = values[key];
    if (typeof value === 'number') out[`${prefix}.${key}`] = value;
  }
  return out;
}
