import { PLOT_WIDTH_PX, type Layer } from './chart-frame.ts';
import type { FaultSpan } from './fault-spans.ts';
import { layoutLabels } from './label-lanes.ts';

const BAND_COLOR = '#e45756';
const LABEL_COLOR = '#a02c2c';
/** Height of one lane of fault labels above the plot, in pixels. */
const LANE_PX = 13;

/**
 * Shaded bands for the time each fault was active. Drawn under line charts; `onTop` draws them
 * over filled marks (the breaker timeline) with an outline, so they stay visible there.
 */
export function faultBandLayer(spans: readonly FaultSpan[], xField: object, onTop = false): Layer[] {
  if (spans.length === 0) return [];
  return [
    {
      data: { values: mergeOverlapping(spans) },
      mark: {
        type: 'rect',
        color: BAND_COLOR,
        opacity: onTop ? 0.12 : 0.15,
        ...(onTop ? { stroke: BAND_COLOR, strokeDash: [4, 3], strokeOpacity: 0.9 } : {}),
      },
      encoding: { x: { ...xField, field: 'startSec' }, x2: { field: 'endSec' } },
    },
  ];
}

/** Overlapping faults shade one band: stacked translucent bands read as a stronger fault. */
export function mergeOverlapping(spans: readonly FaultSpan[]): { startSec: number; endSec: number }[] {
  const merged: { startSec: number; endSec: number }[] = [];
  for (const s of [...spans].sort((a, b) => a.startSec - b.startSec)) {
    const last = merged.at(-1);
    if (last !== undefined && s.startSec <= last.endSec) last.endSec = Math.max(last.endSec, s.endSec);
    else merged.push({ startSec: s.startSec, endSec: s.endSec });
  }
  return merged;
}

/**
 * The fault names, in lanes above the plot starting where each fault began: labels inside the plot
 * cover the data, and labels in one row overprint each other when faults are close together.
 */
export function faultLabelLayer(spans: readonly FaultSpan[], durationSec: number): Layer[] {
  if (spans.length === 0) return [];
  const placed = layoutLabels(
    spans.map((s) => ({ text: s.label, xPx: (s.startSec / durationSec) * PLOT_WIDTH_PX })),
    PLOT_WIDTH_PX,
  );
  return [
    {
      data: { values: placed.map((p) => ({ ...p, yPx: -4 - p.lane * LANE_PX })) },
      mark: { type: 'text', align: 'left', baseline: 'bottom', fontSize: 10, color: LABEL_COLOR },
      encoding: {
        x: { field: 'xPx', type: 'quantitative', scale: null },
        y: { field: 'yPx', type: 'quantitative', scale: null },
        text: { field: 'text' },
      },
    },
  ];
}
