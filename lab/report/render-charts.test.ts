import { describe, expect, it } from 'vitest';
import { renderCharts } from './render-charts.ts';
import { sampleResult } from './sample-result.test-support.ts';
import { parseSvgOutline } from './svg-outline.test-support.ts';

describe('renderCharts', () => {
  it('draws latency, breaker and hit-rate charts as well-formed SVG with the fault band labelled', async () => {
    const charts = await renderCharts(sampleResult());

    expect(Object.keys(charts).sort()).toEqual(['breaker', 'hitRate', 'latency']);
    for (const svg of Object.values(charts)) {
      const outline = parseSvgOutline(svg);
      expect(outline.width).toBeGreaterThan(600);
      expect(outline.elements).toBeGreaterThan(20);
    }
    const latency = parseSvgOutline(charts.latency ?? '');
    expect(latency.texts).toContain('redis-down: redis: timeout 0');
    expect(latency.texts).toContain('http p99');
    expect(parseSvgOutline(charts.breaker ?? '').texts).toEqual(
      expect.arrayContaining(['open', 'half-open', 'api.redis']),
    );
  });

  it('draws only the charts whose series have data', async () => {
    const charts = await renderCharts(sampleResult({ timeline: { hitRate: [{ tSec: 0, hitRate: 0.5 }] } }));
    expect(Object.keys(charts)).toEqual(['hitRate']);
    expect(await renderCharts(sampleResult({ timeline: {} }))).toEqual({});
  });
});
