import type { TopLevelSpec } from 'vega-lite';
import type { LabResult } from '../result-schema.ts';
import { layeredChart } from './chart-frame.ts';
import { seriesChart } from './series-chart.ts';

/** The server's hit rate gauge is sampled about once a second. */
const SAMPLE_GAP_SEC = 2.5;
const rateAxis = { title: 'hit rate', scale: { domain: [0, 1] }, axis: { format: '.0%' } };

/** The de-duplication hit rate over time, as the API reports it. */
export function hitRateChart(result: LabResult): TopLevelSpec | undefined {
  const points = result.timeline.hitRate ?? [];
  if (points.length === 0) return undefined;
  return seriesChart(result, {
    title: 'De-duplication hit rate (server), faults shaded',
    yTitle: 'hit rate',
    rows: points.map((p) => ({ tSec: p.tSec, line: p.series ?? 'server', value: p.hitRate })),
    maxGapSec: SAMPLE_GAP_SEC,
    yDomain: [0, 1],
  });
}

/**
 * The client-side hit rate of every wave, numbered in firing order and coloured by phase, so a
 * wave that missed stands out. Results without per-wave points fall back to one bar per phase
 * (client and server) from the `phase.<name>.dedupe.hitRate` metrics.
 */
export function waveHitRateChart(result: LabResult): TopLevelSpec | undefined {
  const waves = [...(result.timeline.waves ?? [])].sort((a, b) => a.tSec - b.tSec);
  if (waves.length > 0) {
    const rows = waves.map((w, i) => ({ wave: i + 1, phase: w.phase, hitRate: w.hitRate }));
    const x = { field: 'wave', type: 'quantitative', title: 'wave (in firing order)' } as const;
    const y = { field: 'hitRate', type: 'quantitative' as const, ...rateAxis };
    const color = { field: 'phase', type: 'nominal', title: null, sort: phaseOrder(result) } as const;
    return layeredChart('De-duplication hit rate per wave (client)', [
      { data: { values: rows }, mark: { type: 'line', strokeWidth: 1 }, encoding: { x, y, color } },
      { data: { values: rows }, mark: { type: 'point', filled: true, size: 20 }, encoding: { x, y, color } },
    ]);
  }
  return phaseHitRateChart(result);
}

function phaseOrder(result: LabResult): string[] {
  return result.phases.map((p) => p.name);
}

function phaseHitRateChart(result: LabResult): TopLevelSpec | undefined {
  const rows = phaseOrder(result).flatMap((phase) => {
    const client = result.metrics[`phase.${phase}.dedupe.hitRate`];
    const server = result.metrics[`phase.${phase}.dedupe.server.hitRate`];
    return [
      ...(client === undefined ? [] : [{ phase, source: 'client', hitRate: client }]),
      ...(server === undefined ? [] : [{ phase, source: 'server', hitRate: server }]),
    ];
  });
  if (rows.length === 0) return undefined;
  const x = {
    field: 'phase',
    type: 'nominal',
    title: null,
    sort: phaseOrder(result),
    axis: { labelAngle: 0 },
  } as const;
  const y = { field: 'hitRate', type: 'quantitative' as const, ...rateAxis };
  return layeredChart(
    'De-duplication hit rate per phase (client and server)',
    [
      {
        data: { values: rows },
        mark: { type: 'bar' },
        encoding: {
          x,
          y,
          xOffset: { field: 'source' },
          color: { field: 'source', type: 'nominal', title: null },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 9 },
        encoding: { x, y, xOffset: { field: 'source' }, text: { field: 'hitRate', format: '.1%' } },
      },
    ],
    'per-wave hit rates were not recorded in this result',
  );
}
