import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  histogramBuckets,
  histogramQuantile,
  parsePrometheusText,
  quantileFromBuckets,
  subtractBuckets,
  sumSamples,
} from './prometheus-text.ts';

function serviceRegistry() {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests',
    labelNames: ['route', 'dedupe'],
    registers: [registry],
  });
  const breaker = new Gauge({
    name: 'breaker_state',
    help: '0 closed, 1 half-open, 2 open',
    labelNames: ['name'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration',
    labelNames: ['route'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1],
    registers: [registry],
  });
  return { registry, requests, breaker, duration };
}

describe('prometheus text parser', () => {
  it('parses what prom-client serves into samples with labels and values', async () => {
    const { registry, requests, breaker } = serviceRegistry();
    requests.inc({ route: '/students', dedupe: 'hit' }, 30);
    requests.inc({ route: '/students', dedupe: 'miss' }, 10);
    requests.inc({ route: '/health', dedupe: 'miss' }, 5);
    breaker.set({ name: 'redis' }, 2);

    const { samples, types, errors } = parsePrometheusText(await registry.metrics());

    expect(errors).toEqual([]);
    expect(types).toMatchObject({
      http_requests_total: 'counter',
      breaker_state: 'gauge',
      http_request_duration_seconds: 'histogram',
    });
    expect(samples).toContainEqual({ name: 'breaker_state', labels: { name: 'redis' }, value: 2 });
    expect(sumSamples(samples, 'http_requests_total')).toBe(45);
    expect(sumSamples(samples, 'http_requests_total', { route: '/students' })).toBe(40);
    expect(sumSamples(samples, 'http_requests_total', { dedupe: 'hit' })).toBe(30);
    expect(sumSamples(samples, 'no_such_metric')).toBeUndefined();
  });

  it('estimates a histogram quantile from its buckets like PromQL histogram_quantile', async () => {
    const { registry, duration } = serviceRegistry();
    for (let i = 0; i < 90; i++) duration.observe({ route: '/a' }, 0.005); // ≤ 10 ms
    for (let i = 0; i < 10; i++) duration.observe({ route: '/a' }, 0.3); // 100..500 ms

    const { samples } = parsePrometheusText(await registry.metrics());

    expect(histogramBuckets(samples, 'http_request_duration_seconds').map((b) => b.count)).toEqual([
      90, 90, 90, 100, 100, 100,
    ]);
    // p50 falls in the first bucket (0..0.01): interpolated to 0.01 × 50/90
    expect(histogramQuantile(samples, 'http_request_duration_seconds', 0.5)).toBeCloseTo(0.00556, 4);
    // p95 falls in (0.1, 0.5]: 0.1 + 0.4 × (95 − 90) / 10 = 0.3
    expect(histogramQuantile(samples, 'http_request_duration_seconds', 0.95)).toBeCloseTo(0.3, 6);
    expect(
      histogramQuantile(samples, 'http_request_duration_seconds', 0.95, { route: '/b' }),
    ).toBeUndefined();
  });

  it('computes quantiles over the observations between two scrapes, surviving a counter reset', () => {
    const before = [
      { le: 0.1, count: 100 },
      { le: 1, count: 100 },
      { le: Infinity, count: 100 },
    ];
    const after = [
      { le: 0.1, count: 100 },
      { le: 1, count: 200 },
      { le: Infinity, count: 200 },
    ];
    // all 100 new observations were in (0.1, 1]
    expect(quantileFromBuckets(subtractBuckets(after, before), 0.5)).toBeCloseTo(0.55, 6);
    const restarted = [
      { le: 0.1, count: 4 },
      { le: 1, count: 4 },
      { le: Infinity, count: 4 },
    ];
    expect(subtractBuckets(restarted, before).map((b) => b.count)).toEqual([4, 4, 4]);
    // a quantile landing in +Inf reports the highest finite bound
    expect(
      quantileFromBuckets(
        [
          { le: 1, count: 0 },
          { le: Infinity, count: 5 },
        ],
        0.9,
      ),
    ).toBe(1);
  });

  it('handles escaped label values, special values and timestamps, and reports malformed lines', () => {
    const text = [
      '# HELP x An example',
      '# TYPE x gauge',
      'x{path="C:\\\\tmp",msg="say \\"hi\\"\\nbye"} +Inf',
      'y NaN 1700000000000',
      'z{broken="no-end} 1',
      'garbage line here',
    ].join('\n');
    const { samples, errors } = parsePrometheusText(text);
    expect(samples[0]).toEqual({
      name: 'x',
      labels: { path: 'C:\\tmp', msg: 'say "hi"\nbye' },
      value: Infinity,
    });
    expect(samples[1]?.name).toBe('y');
    expect(samples[1]?.value).toBeNaN();
    expect(errors).toEqual(['z{broken="no-end} 1', 'garbage line here']);
  });
});
