import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { chartSpecs } from './chart-specs.ts';
import type { LabResult } from './result-schema.ts';
import { sampleResult } from './sample-result.test-support.ts';

type AnyLayer = {
  mark?: string | { type: string; interpolate?: string };
  data?: { values?: unknown[] };
  encoding?: Record<string, { scale?: { type?: string } } | undefined>;
};
const layers = (spec: TopLevelSpec | undefined): AnyLayer[] =>
  (spec as { layer?: AnyLayer[] } | undefined)?.layer ?? [];
const markType = (l: AnyLayer): string | undefined => (typeof l.mark === 'string' ? l.mark : l.mark?.type);

const withSeries = (series: Record<string, { tSec: number; value: number }[]>, fault: string): LabResult =>
  sampleResult({
    phases: [{ name: 'cut', startMs: 5000, endMs: 15_000, fault }],
    timeline: { series },
  });
const ramp = Array.from({ length: 20 }, (_, t) => ({ tSec: t, value: t }));

describe('chartSpecs', () => {
  it('shades the fault from its applied and rolled-back times, not from the phase bounds', () => {
    const result = sampleResult({
      faults: [{ name: 'redis-down', appliedTSec: 10.2, rolledBackTSec: 15.3 }],
    });
    const band = layers(chartSpecs(result).latency).find((l) => markType(l) === 'rect');
    expect(band?.data?.values).toEqual([{ startSec: 10.2, endSec: 15.3 }]);
  });

  it('draws no mark with smoothing interpolation in any chart', () => {
    const result = withSeries(
      { 'api.outbox.pending': ramp, 'notifications.connected.sse': ramp },
      'rabbitmq: x; notifications: y',
    );
    const specs = Object.values(
      chartSpecs({ ...result, timeline: { ...sampleResult().timeline, ...result.timeline } }),
    );
    expect(specs.length).toBeGreaterThanOrEqual(5);
    for (const l of specs.flatMap(layers)) {
      const interpolate = typeof l.mark === 'object' ? l.mark.interpolate : undefined;
      expect([undefined, 'linear', 'step-after']).toContain(interpolate);
    }
  });

  it('puts latency on a log axis when one outlier exceeds the body many times, linear otherwise', () => {
    const yScale = (r: LabResult) =>
      layers(chartSpecs(r).latency).find((l) => markType(l) === 'point')?.encoding?.y?.scale?.type;
    const base = sampleResult();
    const latency = Array.from({ length: 30 }, (_, t) => ({ tSec: t, p50Ms: 4, p99Ms: 15 }));
    const outlier = {
      ...base,
      timeline: { latency: [...latency, { tSec: 25.5, p50Ms: 2000, p99Ms: 2000 }] },
    };
    expect(yScale(outlier)).toBe('log');
    expect(yScale({ ...base, timeline: { latency } })).toBe('linear');
  });

  it('charts notification latency per transport from the latency series of each transport', () => {
    const point = (series: string, p99Ms: number) => ({ tSec: 1, p50Ms: 5, p99Ms, series });
    const result = sampleResult({
      timeline: {
        latency: [point('notifications.sse', 40), point('notifications.socketio', 30), point('http', 9)],
      },
    });
    const spec = chartSpecs(result);
    const lines = (s: TopLevelSpec | undefined) =>
      new Set(
        layers(s).flatMap((l) => (l.data?.values ?? []).flatMap((v) => (v as { line?: string }).line ?? [])),
      );
    expect([...lines(spec.notificationLatency)].sort()).toEqual([
      'socketio p50',
      'socketio p99',
      'sse p50',
      'sse p99',
    ]);
    expect([...lines(spec.latency)].sort()).toEqual(['http p50', 'http p99']);
  });

  it('falls back to the service pipeline p99 for notification latency, and draws nothing without either', () => {
    const pipeline = withSeries({ 'notifications.pipeline.p99Sec': ramp }, 'redis: x');
    expect(JSON.stringify(chartSpecs(pipeline).notificationLatency)).toContain('service pipeline p99');
    expect(chartSpecs(sampleResult()).notificationLatency).toBeUndefined();
  });

  it('draws the outbox backlog only for broker faults and connected listeners only for notification faults', () => {
    const series = { 'api.outbox.pending': ramp, 'notifications.connected.sse': ramp };
    expect(Object.keys(chartSpecs(withSeries(series, 'rabbitmq: proxy disabled')))).toContain('outbox');
    expect(Object.keys(chartSpecs(withSeries(series, 'rabbitmq: proxy disabled')))).not.toContain(
      'listeners',
    );
    expect(Object.keys(chartSpecs(withSeries(series, 'notifications: reset_peer')))).toEqual(['listeners']);
  });

  it('charts the hit rate per wave when waves are recorded, per phase otherwise, instead of per second', () => {
    const waves = [0, 1, 2].map((i) => ({ tSec: i, phase: 'cold', hitRate: 0.99 }));
    const withWaves = chartSpecs(sampleResult({ timeline: { ...sampleResult().timeline, waves } }));
    expect(withWaves.waveHitRate).toBeDefined();
    expect(withWaves.hitRate).toBeUndefined();

    const perPhase = chartSpecs(sampleResult({ metrics: { 'phase.redis-down.dedupe.hitRate': 0.5 } }));
    expect(layers(perPhase.waveHitRate).find((l) => markType(l) === 'bar')?.data?.values).toEqual([
      { phase: 'redis-down', source: 'client', hitRate: 0.5 },
    ]);
    expect(chartSpecs(sampleResult()).waveHitRate).toBeUndefined();
  });

  it('holds each breaker’s last state until the end of the run', () => {
    const rects = layers(chartSpecs(sampleResult()).breaker).find((l) => markType(l) === 'rect');
    const last = (rects?.data?.values as { endSec: number }[]).at(-1);
    expect(last?.endSec).toBe(30.5);
  });
});
