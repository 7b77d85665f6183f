import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetricsExposition, registerWithExemplars } from './metrics-exposition.ts';

function registryWithExemplar() {
  const registry = new Registry();
  const counter = new Counter({ name: 'lab_things_total', help: 'things', registers: [registry] });
  const histogram = registerWithExemplars(
    new Histogram({
      name: 'lab_latency_seconds',
      help: 'latency',
      buckets: [0.1, 1],
      enableExemplars: true,
      registers: [],
    }),
    [registry],
  );
  counter.inc();
  histogram.observe({ value: 0.05, labels: {}, exemplarLabels: { trace_id: 'a'.repeat(32) } });
  return { registry, exposition: createMetricsExposition(registry) };
}

describe('the metrics exposition', () => {
  it('answers OpenMetrics, exemplars included, to a scraper that asks for it', async () => {
    const { exposition } = registryWithExemplar();
    const open = await exposition.render('application/openmetrics-text;version=1.0.0,text/plain;q=0.5');
    expect(open.contentType).toContain('application/openmetrics-text');
    expect(open.body).toContain(
      `lab_latency_seconds_bucket{le="0.1"} 1 # {trace_id="${'a'.repeat(32)}"} 0.05`,
    );
    expect(open.body).toMatch(/^lab_things_total 1$/m);
    expect(open.body.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('keeps the classic format, counter names and all, for every other scraper, also after an OpenMetrics one', async () => {
    const { exposition } = registryWithExemplar();
    await exposition.render('application/openmetrics-text');
    const [classic, again] = await Promise.all([exposition.render(), exposition.render('text/plain')]);
    for (const rendered of [classic, again]) {
      expect(rendered.contentType).toContain('text/plain');
      expect(rendered.body).toMatch(/^# TYPE lab_things_total counter$/m);
      expect(rendered.body).toMatch(/^lab_things_total 1$/m);
      expect(rendered.body).not.toContain('trace_id');
      expect(rendered.body).not.toContain('# EOF');
    }
  });
});
