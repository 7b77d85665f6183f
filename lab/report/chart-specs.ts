import type { TopLevelSpec } from 'vega-lite';
import type { LabResult } from './result-schema.ts';

/** The charts a report can carry; each is drawn only when its timeline series has data. */
export const chartNames = ['latency', 'breaker', 'hitRate'] as const;
export type ChartName = (typeof chartNames)[number];

const WIDTH = 640;
const HEIGHT = 220;
/** One layer of a layered Vega-Lite chart. */
type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

/** Shaded bands (with labels) for phases that inject a fault; x in seconds since start. */
function faultBandLayers(result: LabResult): Layer[] {
  const faults = result.phases
    .filter((p) => p.fault !== undefined)
    .map((p) => ({ startSec: p.startMs / 1000, endSec: p.endMs / 1000, label: `${p.name}: ${p.fault}` }));
  if (faults.length === 0) return [];
  return [
    {
      data: { values: faults },
      mark: { type: 'rect', color: '#e45756', opacity: 0.15 },
      encoding: { x: { field: 'startSec', type: 'quantitative' }, x2: { field: 'endSec' } },
    },
    {
      data: { values: faults },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, fontSize: 10, color: '#b03030' },
      encoding: { x: { field: 'startSec', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
    },
  ];
}

function chart(title: string, layers: Layer[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    layer: layers,
  };
}

const timeAxis = { field: 'tSec', type: 'quantitative', title: 'time since start (s)' } as const;

function latencySpec(result: LabResult): TopLevelSpec | undefined {
  const points = result.timeline.latency ?? [];
  if (points.length === 0) return undefined;
  const rows = points.flatMap((p) => {
    const series = p.series ?? 'http';
    return [
      { tSec: p.tSec, line: `${series} p50`, ms: p.p50Ms },
      { tSec: p.tSec, line: `${series} p99`, ms: p.p99Ms },
    ];
  });
  return chart('Latency per second (ms), fault phases shaded', [
    ...faultBandLayers(result),
    {
      data: { values: rows },
      mark: { type: 'line', point: true, interpolate: 'monotone' },
      encoding: {
        x: timeAxis,
        y: { field: 'ms', type: 'quantitative', title: 'latency (ms)' },
        color: { field: 'line', type: 'nominal', title: null },
      },
    },
  ]);
}

function breakerSpec(result: LabResult): TopLevelSpec | undefined {
  const points = [...(result.timeline.breaker ?? [])].sort((a, b) => a.tSec - b.tSec);
  if (points.length === 0) return undefined;
  // Each state lasts until that breaker's next sample (1 s when it is the last one).
  const rows = points.map((p, i) => {
    const next = points.slice(i + 1).find((q) => q.breaker === p.breaker);
    return { breaker: p.breaker, state: p.state, tSec: p.tSec, endSec: next ? next.tSec : p.tSec + 1 };
  });
  return chart('Circuit breaker state, fault phases shaded', [
    ...faultBandLayers(result),
    {
      data: { values: rows },
      mark: { type: 'rect' },
      encoding: {
        x: timeAxis,
        x2: { field: 'endSec' },
        y: { field: 'breaker', type: 'nominal', title: null },
        color: {
          field: 'state',
          type: 'nominal',
          scale: { domain: ['closed', 'half-open', 'open'], range: ['#54a24b', '#f58518', '#e45756'] },
        },
      },
    },
  ]);
}

function hitRateSpec(result: LabResult): TopLevelSpec | undefined {
  const points = result.timeline.hitRate ?? [];
  if (points.length === 0) return undefined;
  const rows = points.map((p) => ({ tSec: p.tSec, hitRate: p.hitRate, series: p.series ?? 'dedupe' }));
  return chart('Hit rate per second, fault phases shaded', [
    ...faultBandLayers(result),
    {
      data: { values: rows },
      mark: { type: 'line', point: true },
      encoding: {
        x: timeAxis,
        y: { field: 'hitRate', type: 'quantitative', title: 'hit rate', scale: { domain: [0, 1] } },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
  ]);
}

/** Vega-Lite specs for the charts this result has data for. Pure. */
export function chartSpecs(result: LabResult): Partial<Record<ChartName, TopLevelSpec>> {
  const specs: Partial<Record<ChartName, TopLevelSpec>> = {};
  const latency = latencySpec(result);
  const breaker = breakerSpec(result);
  const hitRate = hitRateSpec(result);
  if (latency) specs.latency = latency;
  if (breaker) specs.breaker = breaker;
  if (hitRate) specs.hitRate = hitRate;
  return specs;
}
