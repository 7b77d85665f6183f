import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { chartSpecs, type ChartName } from './chart-specs.ts';
import type { LabResult } from './result-schema.ts';

/** Renders one Vega-Lite spec to an SVG string, headless (no DOM, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG text of each chart the result has data for (latency, breaker timeline, hit rate). */
export async function renderCharts(result: LabResult): Promise<Partial<Record<ChartName, string>>> {
  const entries = Object.entries(chartSpecs(result)) as [ChartName, TopLevelSpec][];
  const rendered = await Promise.all(
    entries.map(async ([name, spec]) => [name, await renderSvg(spec)] as const),
  );
  return Object.fromEntries(rendered);
}
