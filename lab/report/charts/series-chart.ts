import type { TopLevelSpec } from 'vega-lite';
import type { LabResult } from '../result-schema.ts';
import { layeredChart, runDurationSec, timeAxis } from './chart-frame.ts';
import { faultBandLayer, faultLabelLayer } from './fault-band-layers.ts';
import { faultSpans } from './fault-spans.ts';
import { withSegments } from './gap-segments.ts';
import { valueScale } from './value-scale.ts';

/** One measured value of one line. */
export interface SeriesRow {
  tSec: number;
  line: string;
  value: number;
}

export interface SeriesChartOptions {
  title: string;
  subtitle?: string;
  yTitle: string;
  rows: readonly SeriesRow[];
  /** Longer than this between two points of a line, in seconds, and the line breaks there. */
  maxGapSec: number;
  /** Gauges hold their value until the next sample, so they are drawn as steps. */
  step?: boolean;
  /** A fixed value axis (e.g. 0..1 for rates); otherwise linear, or log when outliers would hide the body. */
  yDomain?: [number, number];
  /** Counts read best from zero on a linear axis, outliers or not. */
  linear?: boolean;
  /** Dashes every line after the first, so lines that coincide (e.g. two transports) both show. */
  dashLines?: boolean;
  /** Fixes the colours of known lines, in this order. */
  lineOrder?: readonly string[];
}

/**
 * Values over time with the faults shaded: every measured point drawn, straight (or step) lines
 * only between neighbouring points of the same line, never smoothed, and a gap where nothing was
 * measured. A smoothed curve through one sample per second draws values that were never measured.
 */
export function seriesChart(result: LabResult, options: SeriesChartOptions): TopLevelSpec {
  const durationSec = runDurationSec(result);
  const x = timeAxis(durationSec);
  const lines = [...new Set(options.rows.map((r) => r.line))];
  const rows = lines.flatMap((line) =>
    withSegments(
      options.rows.filter((r) => r.line === line),
      options.maxGapSec,
    ),
  );
  const scale = options.yDomain
    ? { type: 'linear' as const, domain: options.yDomain }
    : options.linear
      ? { type: 'linear' as const }
      : valueScale(rows.map((r) => r.value));
  const axis = scale.type === 'log' ? { values: powersOfTen(rows.map((r) => r.value)) } : {};
  const y = { field: 'value', type: 'quantitative' as const, title: options.yTitle, scale, axis };
  const order = [
    ...(options.lineOrder ?? []).filter((l) => lines.includes(l)),
    ...lines.filter((l) => !options.lineOrder?.includes(l)),
  ];
  const color = { field: 'line', type: 'nominal', scale: { domain: order }, title: null } as const;
  const spans = faultSpans(result);
  const logNote = 'log scale: the largest values are far above the rest';
  const subtitle =
    scale.type === 'log'
      ? [options.subtitle, logNote].filter((s) => s !== undefined).join('; ')
      : options.subtitle;
  const strokeDash = options.dashLines
    ? {
        field: 'line',
        type: 'nominal' as const,
        scale: { domain: order, range: order.map((_, i) => (i === 0 ? [1, 0] : [6, 3])) },
        title: null,
      }
    : undefined;
  return layeredChart(
    options.title,
    [
      ...faultBandLayer(spans, x),
      {
        data: { values: rows },
        // Faint: the points carry the measurements, the line only their order.
        mark: {
          type: 'line',
          strokeWidth: 1.2,
          strokeOpacity: options.step ? 0.9 : 0.45,
          ...(options.step ? { interpolate: 'step-after' as const } : {}),
        },
        encoding: {
          x,
          y,
          color,
          detail: { field: 'segment', type: 'nominal' },
          ...(strokeDash ? { strokeDash } : {}),
        },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 14 },
        encoding: { x, y, color },
      },
      ...faultLabelLayer(spans, durationSec),
    ],
    subtitle,
  );
}

/** Grid lines of a log axis at 1, 10, 100, … only: every intermediate tick crowds the axis. */
function powersOfTen(values: readonly number[]): number[] {
  const low = Math.floor(Math.log10(Math.min(...values)));
  const high = Math.ceil(Math.log10(Math.max(...values)));
  return Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i));
}
