/**
 * Names of the metrics the lab itself exports while a scenario runs (`lab/exporter`), read by the
 * lab-overview dashboard. The services' names live in contracts/service-metrics.ts.
 */
export const labMetricNames = {
  phase: 'lab_phase_active', // {scenario, phase}: 1 while the phase runs
  faultActive: 'lab_fault_active', // {scenario, fault}
  latency: 'lab_latency_seconds', // {scenario, kind: http|notification, transport}
  dedupeHitRatio: 'lab_dedupe_hit_ratio', // {scenario}
  listenersConnected: 'lab_listeners_connected', // {scenario, transport}
  requests: 'lab_requests_total', // {scenario, status, deduplicated}
} as const;

/** The lab's histograms (exported as `_bucket`, `_sum` and `_count` series). */
export const labHistogramMetricNames: readonly string[] = [labMetricNames.latency];
