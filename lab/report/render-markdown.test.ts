import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './render-markdown.ts';
import { sampleResult } from './sample-result.test-support.ts';

const charts = {
  latency: './latest-latency.svg',
  breaker: './latest-breaker.svg',
  hitRate: './latest-hit-rate.svg',
};

describe('renderMarkdown', () => {
  it('summarises status, target, machine and duration', () => {
    const md = renderMarkdown(sampleResult(), charts);
    expect(md).toMatch(/^# Scenario `redis-outage`: FAILED$/m);
    expect(md).toContain('(1/2 gates passed)');
    expect(md).toContain('**Target:** local');
    expect(md).toContain('(30.5 s)');
    expect(md).toContain('2 × Test CPU @ 3.0GHz, 7.8 GiB RAM, node v20.20.2, linux 6.8.0 x64');
  });

  it('has one gate row per gate with its value and PASS or FAIL', () => {
    const md = renderMarkdown(sampleResult(), charts);
    expect(md).toContain('| Gate | Metric | Condition | Value | Result |');
    const rows = md
      .split('\n')
      .filter((l) => l.startsWith('| p99 under') || l.startsWith('| no lost events'));
    expect(rows).toEqual([
      '| p99 under 250 ms while Redis is down | http.latency.p99Ms (phase redis-down) | < 250 | 480.5 | ❌ FAIL: phase.redis-down.http.latency.p99Ms = 480.5, expected < 250 |',
      '| no lost events | events.lost | == 0 | 0 | ✅ PASS |',
    ]);
  });

  it('shows an unmeasured gate value as a dash, not as zero', () => {
    const result = sampleResult({
      gates: [
        {
          name: 'g',
          metric: 'm',
          op: '<',
          threshold: 1,
          value: null,
          passed: false,
          reason: 'metric m was not measured',
        },
      ],
    });
    expect(renderMarkdown(result)).toContain('| g | m | < 1 | — | ❌ FAIL: metric m was not measured |');
  });

  it('says INVALID and why when the generator was the bottleneck', () => {
    const md = renderMarkdown(
      sampleResult({
        valid: false,
        passed: true,
        invalidReason: 'generator event-loop lag p99 340 ms > 200 ms',
      }),
    );
    expect(md).toMatch(/^# Scenario `redis-outage`: INVALID$/m);
    expect(md).toContain('**Invalid because:** generator event-loop lag p99 340 ms > 200 ms');
  });

  it('lists phases with their faults and every metric sorted by name', () => {
    const md = renderMarkdown(sampleResult(), charts);
    expect(md).toContain('| redis-down | 10 | 20 | 10 s | redis: timeout 0 |');
    expect(md).toContain('| steady | 0 | 10 | 10 s | — |');
    const metricRows = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(metricRows[0]).toBe('| `breaker.timeToOpenMs` | 1520 |');
    expect(metricRows).toContain('| `dedupe.hitRate` | 0.734 |');
  });

  it('links the chart SVG files it is given, and only those', () => {
    const md = renderMarkdown(sampleResult(), charts);
    expect(md).toContain('![latency](./latest-latency.svg)');
    expect(md).toContain('![breaker](./latest-breaker.svg)');
    expect(md).toContain('![hitRate](./latest-hit-rate.svg)');
    const withoutCharts = renderMarkdown(sampleResult());
    expect(withoutCharts).not.toContain('![');
    expect(withoutCharts).not.toContain('## Charts');
  });

  it('escapes pipes so a gate name cannot break the table', () => {
    const result = sampleResult({
      gates: [{ name: 'a | b', metric: 'm', op: '>', threshold: 0, value: 1, passed: true }],
    });
    expect(renderMarkdown(result)).toContain('| a \\| b | m | > 0 | 1 | ✅ PASS |');
  });
});
