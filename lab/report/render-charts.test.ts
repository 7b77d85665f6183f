import { describe, expect, it } from 'vitest';
import { PLOT_WIDTH_PX } from './charts/chart-frame.ts';
import { renderCharts } from './render-charts.ts';
import { sampleResult } from './sample-result.test-support.ts';
import { parseSvgOutline } from './svg-outline.test-support.ts';

/** Room for the value axis, its title, padding and the title beside the plot, in pixels. */
const FRAME_PX = 200;

describe('renderCharts', () => {
  it('draws latency, breaker and hit-rate charts as well-formed SVG with the fault band labelled', async () => {
    const charts = await renderCharts(
      sampleResult({ faults: [{ name: 'redis-down', appliedTSec: 10, rolledBackTSec: 20 }] }),
    );

    expect(Object.keys(charts).sort()).toEqual(['breaker', 'hitRate', 'latency']);
    for (const svg of Object.values(charts)) {
      const outline = parseSvgOutline(svg);
      expect(outline.width).toBeGreaterThan(PLOT_WIDTH_PX);
      expect(outline.elements).toBeGreaterThan(20);
    }
    const latency = parseSvgOutline(charts.latency ?? '');
    expect(latency.texts).toContain('redis-down');
    expect(latency.texts).toContain('http p99');
    expect(parseSvgOutline(charts.breaker ?? '').texts).toEqual(
      expect.arrayContaining(['open', 'half-open', 'api.redis']),
    );
  });

  it('keeps the SVG about as wide as the plot however many long fault labels there are', async () => {
    const faults = [0, 1, 2, 3, 4, 5].map((i) => ({
      name: `a-long-fault-name-that-would-run-off-the-plot-${i}`,
      appliedTSec: 20 + i,
      rolledBackTSec: 29,
    }));
    const charts = await renderCharts(sampleResult({ faults }));
    for (const svg of Object.values(charts)) {
      expect(parseSvgOutline(svg).width).toBeLessThanOrEqual(PLOT_WIDTH_PX + FRAME_PX);
    }
  });

  it('draws only the charts whose series have data', async () => {
    const charts = await renderCharts(sampleResult({ timeline: { hitRate: [{ tSec: 0, hitRate: 0.5 }] } }));
    expect(Object.keys(charts)).toEqual(['hitRate']);
    expect(await renderCharts(sampleResult({ timeline: {} }))).toEqual({});
  });
});
