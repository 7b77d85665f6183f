import type { TopLevelSpec } from 'vega-lite';
import { renderSvg as renderSvgDefault } from '../report/render-charts.ts';
import type { ComparisonReport, MetricComparison } from './compare-schema.ts';

const WIDTH = 480;
const HEIGHT = 200;
const sideColors = { domain: ['baseline', 'candidate'], range: ['#4c78a8', '#f58518'] };

/**
 * One chart per metric: every round's value of both sides as points (no lines: rounds are separate
 * runs, nothing happens between them), side by side within each round, with each side's median as
 * a dashed rule. Rounds are 1-based labels on a band axis, so labels never fall between rounds, and
 * the legend sits above the plot, clear of the axis labels.
 */
export function compareChartSpec(metric: MetricComparison): TopLevelSpec {
  const rows = (['baseline', 'candidate'] as const).flatMap((side) =>
    metric[side].values.map((value, i) => ({ side, round: i + 1, value })),
  );
  const medians = (['baseline', 'candidate'] as const).map((side) => ({ side, median: metric[side].median }));
  const color = { field: 'side', type: 'nominal', title: null, scale: sideColors } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: metric.metric,
      subtitle: `${metric.direction} is better · ${metric.verdict}`,
      anchor: 'start',
    },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: { legend: { orient: 'top' }, axis: { labelOverlap: 'greedy', labelFlush: true } },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: {
            field: 'round',
            type: 'ordinal',
            title: 'round',
            scale: { type: 'band', paddingInner: 0.2 },
            axis: { labelAngle: 0 },
          },
          xOffset: { field: 'side', type: 'nominal', scale: { domain: sideColors.domain } },
          y: { field: 'value', type: 'quantitative', title: 'value', scale: { zero: false, padding: 8 } },
          color,
          shape: { field: 'side', type: 'nominal', title: null, scale: { domain: sideColors.domain } },
        },
      },
      {
        data: { values: medians },
        mark: { type: 'rule', strokeDash: [4, 3], opacity: 0.7 },
        encoding: { y: { field: 'median', type: 'quantitative' }, color },
      },
    ],
  };
}

/** SVG text of each compared metric's chart, keyed by metric name. */
export async function renderCompareCharts(
  report: Pick<ComparisonReport, 'metrics'>,
  renderSvg: (spec: TopLevelSpec) => Promise<string> = renderSvgDefault,
): Promise<Record<string, string>> {
  const rendered = await Promise.all(
    report.metrics.map(async (metric) => [metric.metric, await renderSvg(compareChartSpec(metric))] as const),
  );
  return Object.fromEntries(rendered);
}
