import type { TopLevelSpec } from 'vega-lite';
import { breakerChart } from './charts/breaker-chart.ts';
import { journeyChart } from './charts/journey-chart.ts';
import { hitRateChart, waveHitRateChart } from './charts/hit-rate-charts.ts';
import { latencyChart, notificationLatencyChart } from './charts/latency-charts.ts';
import { listenersChart, outboxChart } from './charts/service-charts.ts';
import type { LabResult } from './result-schema.ts';

/** The charts a report can carry, in the order the report shows them. */
export const chartNames = [
  'latency',
  'notificationLatency',
  'journey',
  'listeners',
  'outbox',
  'breaker',
  'waveHitRate',
  'hitRate',
] as const;
export type ChartName = (typeof chartNames)[number];

/**
 * Vega-Lite specs for the charts this result has data for. Pure. A burst's hit rate is shown per
 * wave (or per phase); the per-second gauge is drawn only when there is no wave chart, because
 * between waves it reads 0 and turns the chart into noise.
 */
export function chartSpecs(result: LabResult): Partial<Record<ChartName, TopLevelSpec>> {
  const waveHitRate = waveHitRateChart(result);
  const specs: Record<ChartName, TopLevelSpec | undefined> = {
    latency: latencyChart(result),
    notificationLatency: notificationLatencyChart(result),
    journey: journeyChart(result),
    listeners: listenersChart(result),
    outbox: outboxChart(result),
    breaker: breakerChart(result),
    waveHitRate,
    hitRate: waveHitRate ? undefined : hitRateChart(result),
  };
  return Object.fromEntries(chartNames.flatMap((name) => (specs[name] ? [[name, specs[name]]] : [])));
}
