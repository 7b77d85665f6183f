import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import {
  counterRateSeries,
  counterRatioSeries,
  createMetricsSampler,
  gaugeSeries,
  histogramQuantileSeries,
  type FetchLike,
} from './metrics-sampler.ts';

function fakeApi() {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'h',
    labelNames: ['dedupe'],
    registers: [registry],
  });
  const breaker = new Gauge({
    name: 'breaker_state',
    help: 'h',
    labelNames: ['name'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'h',
    buckets: [0.01, 0.1, 1],
    registers: [registry],
  });
  breaker.set({ name: 'redis' }, 0);
  const fetch: FetchLike = async () => {
    const text = await registry.metrics();
    return { ok: true, status: 200, text: () => Promise.resolve(text) };
  };
  return { requests, breaker, duration, fetch };
}

const series = [
  counterRateSeries('api.requestsPerSec', 'api', 'http_requests_total'),
  counterRatioSeries(
    'api.dedupe.hitRate',
    'api',
    { metric: 'http_requests_total', filter: { dedupe: 'hit' } },
    { metric: 'http_requests_total' },
  ),
  gaugeSeries('api.breaker.redis', 'api', 'breaker_state', { name: 'redis' }),
  histogramQuantileSeries('api.latency.p99Sec', 'api', 'http_request_duration_seconds', 0.99),
];

describe('metrics sampler', () => {
  it('reads the processes of one service as one scrape: their counters and gauges add up', async () => {
    const [first, second] = [fakeApi(), fakeApi()];
    const byUrl: Record<string, FetchLike> = {
      'http://p1/metrics': first.fetch,
      'http://p2/metrics': second.fetch,
    };
    let clockMs = 0;
    const sampler = createMetricsSampler({
      targets: [{ name: 'api', url: 'http://p1/metrics', moreUrls: ['http://p2/metrics'] }],
      series,
      startMs: 0,
      fetch: (url, init) => (byUrl[url] as FetchLike)(url, init),
      nowMs: () => clockMs,
    });
    await sampler.sampleOnce();
    first.requests.inc({ dedupe: 'hit' }, 30);
    second.requests.inc({ dedupe: 'miss' }, 10);
    first.breaker.set({ name: 'redis' }, 1);
    second.breaker.set({ name: 'redis' }, 1);
    clockMs += 1_000;
    await sampler.sampleOnce();
    const timeline = sampler.timeline();
    expect(timeline['api.requestsPerSec']).toEqual([{ tSec: 1, value: 40 }]);
    expect(timeline['api.dedupe.hitRate']).toEqual([{ tSec: 1, value: 0.75 }]);
    expect(timeline['api.breaker.redis']?.at(-1)).toEqual({ tSec: 1, value: 2 });
  });

  it('turns successive scrapes into per-second rates, hit rates, gauges and interval quantiles', async () => {
    const api = fakeApi();
    let clockMs = 10_000;
    const sampler = createMetricsSampler({
      targets: [{ name: 'api', url: 'http://api/metrics' }],
      series,
      startMs: 10_000,
      fetch: api.fetch,
      nowMs: () => clockMs,
    });

    await sampler.sampleOnce(); // baseline: only the gauge has a value
    api.requests.inc({ dedupe: 'hit' }, 75);
    api.requests.inc({ dedupe: 'miss' }, 25);
    api.breaker.set({ name: 'redis' }, 2);
    for (let i = 0; i < 100; i++) api.duration.observe(0.05);
    clockMs += 2_000;
    await sampler.sampleOnce();

    const timeline = sampler.timeline();
    expect(timeline['api.requestsPerSec']).toEqual([{ tSec: 2, value: 50 }]);
    expect(timeline['api.dedupe.hitRate']).toEqual([{ tSec: 2, value: 0.75 }]);
    expect(timeline['api.breaker.redis']).toEqual([
      { tSec: 0, value: 0 },
      { tSec: 2, value: 2 },
    ]);
    expect(timeline['api.latency.p99Sec']?.[0]?.value).toBeCloseTo(0.01 + 0.09 * 0.99, 6);
  });

  it('counts a target that times out or errors instead of stalling or throwing', async () => {
    const hanging: FetchLike = (_url, { signal }) =>
      new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new Error('timed out'))),
      );
    const failing: FetchLike = () =>
      Promise.resolve({ ok: false, status: 503, text: () => Promise.resolve('') });
    const sampler = createMetricsSampler({
      targets: [
        { name: 'slow', url: 'http://slow/metrics' },
        { name: 'down', url: 'http://down/metrics' },
      ],
      series: [],
      timeoutMs: 50,
      fetch: (url, init) => (url.includes('slow') ? hanging(url, init) : failing(url, init)),
    });

    await sampler.sampleOnce();

    expect(sampler.errors()).toEqual({
      slow: { count: 1, last: 'timed out' },
      down: { count: 1, last: 'HTTP 503 from http://down/metrics' },
    });
  });

  it('polls on its interval until stopped', async () => {
    const api = fakeApi();
    const urls: string[] = [];
    const sampler = createMetricsSampler({
      targets: [{ name: 'api', url: 'http://api/metrics' }],
      series,
      intervalMs: 20,
      fetch: (url, init) => {
        urls.push(url);
        return api.fetch(url, init);
      },
    });
    sampler.start();
    await vi.waitFor(() => expect(urls.length).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
    await sampler.stop();
    const scrapes = urls.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(urls.length).toBe(scrapes);
    expect(sampler.timeline()['api.breaker.redis']?.length).toBe(scrapes);
  });
});
