/**
 * The lab's public API: everything a scenario author needs, and nothing else. Scenarios import
 * from here (and from contracts/), never from the engine's insides, so the engine can change shape
 * without touching them.
 */
export {
  defineScenario,
  faultDurationMs,
  faultOffsetMs,
  variantsOf,
  type AnyScenario,
  type CommonOptions,
  type Fault,
  type OptionValue,
  type Phase,
  type RunOptions,
  type Scenario,
  type ScenarioDefaults,
  type ScenarioOption,
  type SteadyStateCheck,
  type Variant,
} from './scenario.ts';
export type { ScenarioContext, ContextFaults } from './experiment/context.ts';
export type { ToxicOptions } from './experiment/fault-actions.ts';
export { serviceNames, type ServiceEnvs, type ServiceName, type Target } from './target/target.ts';
export { defineGates, phaseMetricName, type Gate } from './gates/gate.ts';
export { judgeGates } from './gates/judge-gates.ts';
export { resultMetrics, type ResultMetric } from './result-metrics.ts';
export { parseCliArgs } from './cli-args.ts';
export type { FixedRateResponse } from './load/fixed-rate-http.ts';
export type { HttpClient, HttpRequestSpec } from './load/http-client.ts';
export type { ListenerFleet } from './load/listener-fleet.ts';
export type { ExpectedNotification } from './measure/correlation.ts';
export { runUntilAborted } from './load/open-ended-load.ts';
export { studentBody, type WritersResult } from './load/writers.ts';
export {
  createLatencyHistogram,
  latencyMetrics,
  type LatencyHistogram,
} from './metrics/latency-histogram.ts';
export { parsePrometheusText, sumSamples, type PromSample } from './metrics/prometheus-text.ts';
export {
  breakersAroundFault,
  latestBreakerStates,
  openIntervals,
  type BreakerSample,
  type BreakersAroundFault,
} from './probes/breakers.ts';
export {
  drainedAt,
  firstPublishFailureAfter,
  startOutboxPoller,
  type PollPoint,
  type Poller,
} from './probes/outbox.ts';
export { checkDelivery, expectedOf, waitForDelivery, type DeliveryCheck } from './probes/delivery.ts';
export type { AlertGate } from './probes/alerts.ts';
export { costPerWrite, settledCostSnapshot, takeCostSnapshot, type CostSnapshot } from './probes/costs.ts';
export { memoryGrowth, startMemoryPoller, type MemoryPoller, type MemorySample } from './probes/memory.ts';
