import type { TopLevelSpec } from 'vega-lite';
import type { LabResult } from '../result-schema.ts';

/** Plot area in pixels; every chart of a run shares it, so their time axes line up. */
export const PLOT_WIDTH_PX = 640;
export const PLOT_HEIGHT_PX = 200;

/** One layer of a layered Vega-Lite chart. */
export type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

/** Run length in seconds: the right end of every time axis. */
export function runDurationSec(result: Pick<LabResult, 'startedAt' | 'finishedAt'>): number {
  const ms = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  return Math.max(1, ms / 1000);
}

/**
 * The x encoding of every time chart: 0 to the end of the run, never rounded outwards, so a
 * time converts to a pixel as `tSec / durationSec × PLOT_WIDTH_PX` (fault labels rely on it).
 */
export function timeAxis(durationSec: number) {
  return {
    field: 'tSec',
    type: 'quantitative' as const,
    title: 'time since start (s)',
    scale: { domain: [0, durationSec], nice: false, zero: true },
  };
}

/**
 * A layered chart with the legend below the plot: a legend on the right takes width from the plot
 * and sits where long labels run.
 */
export function layeredChart(title: string, layers: Layer[], subtitle?: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: subtitle === undefined ? title : { text: title, subtitle },
    width: PLOT_WIDTH_PX,
    height: PLOT_HEIGHT_PX,
    background: 'white',
    padding: 8,
    config: {
      legend: { orient: 'bottom', direction: 'horizontal', title: null, labelLimit: 200 },
      title: { anchor: 'start', subtitleColor: '#555' },
    },
    layer: layers,
  };
}
