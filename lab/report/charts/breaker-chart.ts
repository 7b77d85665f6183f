import type { TopLevelSpec } from 'vega-lite';
import { breakerStates, type LabResult } from '../result-schema.ts';
import { layeredChart, runDurationSec, timeAxis } from './chart-frame.ts';
import { faultBandLayer, faultLabelLayer } from './fault-band-layers.ts';
import { faultSpans } from './fault-spans.ts';

const stateColors: Record<(typeof breakerStates)[number], string> = {
  closed: '#54a24b',
  'half-open': '#f58518',
  open: '#e45756',
  isolated: '#9d9d9d',
};

/**
 * Each breaker's state as a coloured lane. The result keeps only the samples where a state
 * changed (and each breaker's last one), so a state lasts until that breaker's next sample, and
 * the last one until the end of the run.
 */
export function breakerChart(result: LabResult): TopLevelSpec | undefined {
  const points = [...(result.timeline.breaker ?? [])].sort((a, b) => a.tSec - b.tSec);
  if (points.length === 0) return undefined;
  const durationSec = runDurationSec(result);
  const rows = points.map((p, i) => {
    const next = points.slice(i + 1).find((q) => q.breaker === p.breaker);
    return {
      breaker: p.breaker,
      state: p.state,
      tSec: p.tSec,
      endSec: next?.tSec ?? Math.max(durationSec, p.tSec),
    };
  });
  const x = timeAxis(durationSec);
  const spans = faultSpans(result);
  return layeredChart('Circuit breaker state, faults outlined', [
    {
      data: { values: rows },
      mark: { type: 'rect', height: { band: 0.7 } },
      encoding: {
        x,
        x2: { field: 'endSec' },
        y: { field: 'breaker', type: 'nominal', title: null },
        color: {
          field: 'state',
          type: 'nominal',
          scale: { domain: [...breakerStates], range: breakerStates.map((s) => stateColors[s]) },
        },
      },
    },
    // Over the lanes, not under them: the lanes fill the plot and would hide a band beneath.
    ...faultBandLayer(spans, x, true),
    ...faultLabelLayer(spans, durationSec),
  ]);
}
