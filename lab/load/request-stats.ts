/** Live request counters: feeds the progress line, the lab's Prometheus metrics and the result. */
export interface RequestStats {
  /** Counts one response (status 0 = transport error, no response). */
  record(phase: string, status: number, deduplicated: boolean): void;
  readonly total: number;
  /** Transport errors and 5xx. */
  readonly errors: number;
  readonly deduplicated: number;
  /** Per phase: `requests`, `errors`, `deduplicated`, `status.<code>`. */
  byPhase(): Record<string, Record<string, number>>;
  /** Called for every recorded response (the Prometheus exporter subscribes). */
  onRecord(listener: (phase: string, status: number, deduplicated: boolean) => void): void;
}

export function createRequestStats(): RequestStats {
  let total = 0;
  let errors = 0;
  let deduplicated = 0;
  const phases = new Map<string, Record<string, number>>();
  const listeners: ((phase: string, status: number, deduplicated: boolean) => void)[] = [];
  const bump = (counters: Record<string, number>, key: string): void => {
    counters[key] = (counters[key] ?? 0) + 1;
  };
  return {
    record(phase, status, dedup) {
      total += 1;
      const isError = status === 0 || status >= 500;
      if (isError) errors += 1;
      if (dedup) deduplicated += 1;
      let counters = phases.get(phase);
      if (!counters) {
        counters = {};
        phases.set(phase, counters);
      }
      bump(counters, 'requests');
      if (isError) bump(counters, 'errors');
      if (dedup) bump(counters, 'deduplicated');
      bump(counters, `status.${status}`);
      for (const listener of listeners) listener(phase, status, dedup);
    },
    get total() {
      return total;
    },
    get errors() {
      return errors;
    },
    get deduplicated() {
      return deduplicated;
    },
    byPhase() {
      return Object.fromEntries([...phases].map(([phase, counters]) => [phase, { ...counters }]));
    },
    onRecord(listener) {
      listeners.push(listener);
    },
  };
}
