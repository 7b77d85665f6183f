import type { TopLevelSpec } from 'vega-lite';
import { journeyStages } from '../../../contracts/journey.ts';
import { phaseMetricName } from '../../metrics/metric-names.ts';
import { formatDurationMs } from '../markdown-format.ts';
import type { LabResult } from '../result-schema.ts';
import { PLOT_WIDTH_PX } from './chart-frame.ts';

/**
 * The phases that have a journey breakdown, in run order, with the prefix of their metrics; the
 * whole run when no phase has one of its own (a single-phase run).
 */
export function journeyScopes(
  result: Pick<LabResult, 'phases' | 'metrics'>,
): { label: string; prefix: string }[] {
  const scopes = result.phases
    .map((p) => ({ label: p.name, prefix: phaseMetricName(p.name, 'journey') }))
    .filter((s) => result.metrics[`${s.prefix}.api.p50Ms`] !== undefined);
  if (scopes.length === 0 && result.metrics['journey.api.p50Ms'] !== undefined)
    scopes.push({ label: 'whole run', prefix: 'journey' });
  return scopes;
}

/** One colour per stage, fixed, so a stage looks the same in every report. */
const stageColours = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#b07aa1'];
const statistics = ['p50', 'p99'] as const;
const BAR_HEIGHT_PX = 16;

/**
 * Where the time went: per phase, the stages of a notification's journey at the median and at
 * p99, each bar the whole of that statistic's stages (100 %), its total written beside the phase.
 * Shares rather than milliseconds: a broker cut makes one phase's bars hundreds of times longer
 * than the others', which would flatten them to nothing. Stage p99s are taken stage by stage, so
 * the p99 bar is the sum of the stages' own p99s, not the journey of the p99 notification.
 */
export function journeyChart(result: LabResult): TopLevelSpec | undefined {
  const metrics = result.metrics;
  const scopes = journeyScopes(result);
  if (scopes.length === 0) return undefined;
  const rows = scopes.flatMap(({ label, prefix }) =>
    statistics.flatMap((statistic) => {
      const values = journeyStages.map((stage) => metrics[`${prefix}.${stage}.${statistic}Ms`] ?? 0);
      const total = values.reduce((s, v) => s + v, 0);
      const bar = `${label} ${statistic} (${formatDurationMs(total)})`;
      return journeyStages.map((stage, order) => ({ bar, stage, order, ms: values[order] ?? 0 }));
    }),
  );
  const bars = [...new Set(rows.map((r) => r.bar))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Where the time went: journey stages per phase (share of p50 and p99)',
      subtitle: 'api → outbox → broker → worker → fanout → wire; the total of each bar is beside its phase',
    },
    width: PLOT_WIDTH_PX,
    height: { step: BAR_HEIGHT_PX + 4 },
    background: 'white',
    padding: 8,
    config: {
      legend: { orient: 'bottom', direction: 'horizontal', title: null },
      // Phase names run long (`outbox-partition-recovery p99 (8.3 s)`): never cut them.
      axisY: { labelLimit: 400 },
      title: { anchor: 'start', subtitleColor: '#555' },
    },
    data: { values: rows },
    mark: { type: 'bar', height: BAR_HEIGHT_PX },
    encoding: {
      y: { field: 'bar', type: 'nominal', sort: bars, title: null },
      x: {
        field: 'ms',
        type: 'quantitative',
        stack: 'normalize',
        title: 'share of the statistic',
        axis: { format: '%' },
      },
      color: {
        field: 'stage',
        type: 'nominal',
        sort: [...journeyStages],
        scale: { domain: [...journeyStages], range: stageColours },
      },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [
        { field: 'bar', type: 'nominal' },
        { field: 'stage', type: 'nominal' },
        { field: 'ms', type: 'quantitative', format: '.1f', title: 'ms' },
      ],
    },
  };
}
