import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatSummary,
  labResult,
  parseThreshold,
  summaryOutputs,
  type K6SummaryData,
  type SummaryConfig,
} from './lab-summary.js';
import { labResultSchema } from '../../lab/report/result-schema.ts';

// Written by hand in the shape k6 hands handleSummary (a 10-wave run of burst-duplicate-gets.js at
// WAVE_SIZE=200); k6 cannot run here, so it is not a recording.
const burstSummary = JSON.parse(
  readFileSync(new URL('./fixtures/burst-duplicate-gets-summary.json', import.meta.url), 'utf8'),
) as K6SummaryData;

const finishedAt = new Date('2025-03-14T10:00:22.153Z');

// The configuration burst-duplicate-gets.js passes at WAVE_SIZE=200, WAVES=10.
const burstConfig: SummaryConfig = {
  scenario: 'k6-burst-duplicate-gets',
  finishedAt,
  options: { waveSize: 200, waves: 10 },
  thresholds: {
    deduplicated: ['rate>=0.98505'],
    wave_responses: ['count>=2000'],
    wave_latency: ['p(99)<1000'],
    http_req_failed: ['rate<0.001'],
    checks: [{ threshold: 'rate>0.99' }],
  },
  labMetrics: {
    'dedupe.hitRate': ['deduplicated', 'rate'],
    'http.latency.p99Ms': ['wave_latency', 'p(99)'],
  },
  gateNames: { deduplicated: 'cold bursts are de-duplicated (client hit rate)' },
};

/** The fixture with one metric's values and threshold verdicts replaced. */
function withMetric(
  data: K6SummaryData,
  key: string,
  values: Record<string, number>,
  thresholds?: Record<string, { ok: boolean }>,
): K6SummaryData {
  const metric = { type: 'counter' as const, values, ...(thresholds ? { thresholds } : {}) };
  return { ...data, metrics: { ...data.metrics, [key]: { ...data.metrics[key], ...metric } } };
}

describe('parseThreshold', () => {
  it('splits the simple k6 expressions into stat, op and number', () => {
    expect(parseThreshold('p(99)<1000')).toEqual({ stat: 'p(99)', op: '<', threshold: 1000 });
    expect(parseThreshold('rate>=0.98505')).toEqual({ stat: 'rate', op: '>=', threshold: 0.98505 });
    expect(parseThreshold(' count == 0 ')).toEqual({ stat: 'count', op: '==', threshold: 0 });
    expect(parseThreshold('p( 99.9 ) <= 2.5e2')).toEqual({ stat: 'p(99.9)', op: '<=', threshold: 250 });
    expect(parseThreshold('value!=-1')).toEqual({ stat: 'value', op: '!=', threshold: -1 });
    expect(parseThreshold('avg>5')).toEqual({ stat: 'avg', op: '>', threshold: 5 });
  });

  it("writes k6's === as the lab's ==", () => {
    expect(parseThreshold('count===3')).toEqual({ stat: 'count', op: '==', threshold: 3 });
  });

  it('gives undefined for anything else', () => {
    for (const expression of ['', 'rate', 'p(99)<', 'p(99)<fast', 'rate=>0.9', 'p(99)<1000 && avg<5']) {
      expect(parseThreshold(expression), expression).toBeUndefined();
    }
  });
});

describe('labResult', () => {
  it("maps a passing burst run to the lab's shape, gates in declaration order", () => {
    const result = labResult(burstSummary, burstConfig);
    expect(result).toMatchObject({
      scenario: 'k6-burst-duplicate-gets',
      startedAt: '2025-03-14T10:00:00.000Z',
      finishedAt: '2025-03-14T10:00:22.153Z',
      passed: true,
      valid: true,
      options: { waveSize: 200, waves: 10 },
      phases: [],
      timeline: {},
      notes: [],
    });
    expect(result.gates).toEqual([
      {
        name: 'cold bursts are de-duplicated (client hit rate) (deduplicated: rate>=0.98505)',
        metric: 'dedupe.hitRate',
        op: '>=',
        threshold: 0.98505,
        value: 0.995,
        passed: true,
        k6Threshold: 'deduplicated: rate>=0.98505',
      },
      {
        name: 'wave_responses: count>=2000',
        metric: 'k6.wave_responses.count',
        op: '>=',
        threshold: 2000,
        value: 2000,
        passed: true,
        k6Threshold: 'wave_responses: count>=2000',
      },
      {
        name: 'wave_latency: p(99)<1000',
        metric: 'http.latency.p99Ms',
        op: '<',
        threshold: 1000,
        value: 67,
        passed: true,
        k6Threshold: 'wave_latency: p(99)<1000',
      },
      expect.objectContaining({ metric: 'k6.http_req_failed.rate', value: 0, passed: true }),
      expect.objectContaining({ metric: 'k6.checks.rate', op: '>', threshold: 0.99, value: 1 }),
    ]);
  });

  it('writes the matching lab metrics and every k6 value under k6.', () => {
    const { metrics } = labResult(burstSummary, burstConfig);
    expect(metrics['dedupe.hitRate']).toBe(0.995);
    expect(metrics['http.latency.p99Ms']).toBe(67);
    expect(metrics['k6.http_reqs.count']).toBe(2010);
    expect(metrics['k6.http_req_duration{expected_response:true}.p(99)']).toBe(66.01);
    expect(metrics['k6.vus_max.max']).toBe(200);
    const rawCount = Object.values(burstSummary.metrics).reduce(
      (n, m) => n + Object.keys(m.values).length,
      0,
    );
    expect(Object.keys(metrics).filter((k) => k.startsWith('k6.'))).toHaveLength(rawCount);
  });

  it("is accepted by the lab's result schema, but for target and machine", () => {
    const schema = labResultSchema.omit({ target: true, machine: true });
    expect(() => schema.parse(labResult(burstSummary, burstConfig))).not.toThrow();
    // k6 cannot know where the services ran nor read the machine: the full schema refuses it.
    expect(labResultSchema.safeParse(labResult(burstSummary, burstConfig)).success).toBe(false);
  });

  it("follows k6's verdict when a threshold fails", () => {
    const data = withMetric(
      burstSummary,
      'deduplicated',
      { rate: 0.5, passes: 1000, fails: 1000 },
      { 'rate>=0.98505': { ok: false } },
    );
    const result = labResult(data, burstConfig);
    expect(result.passed).toBe(false);
    expect(result.gates[0]).toMatchObject({
      metric: 'dedupe.hitRate',
      value: 0.5,
      passed: false,
      reason: 'k6 judged the threshold crossed',
    });
    expect(result.gates.slice(1).every((g) => g.passed)).toBe(true);
  });

  it('keeps a declared threshold k6 reported nothing for, as an unmeasured failed gate', () => {
    const { wave_responses: _dropped, ...rest } = burstSummary.metrics;
    const result = labResult({ ...burstSummary, metrics: rest }, burstConfig);
    expect(result.passed).toBe(false);
    expect(result.gates.find((g) => g.k6Threshold === 'wave_responses: count>=2000')).toMatchObject({
      value: null,
      passed: false,
      reason: expect.stringMatching(/no verdict/) as unknown,
    });
  });

  it('adds thresholds k6 judged that the script did not declare (e.g. from the command line)', () => {
    const data = withMetric(
      burstSummary,
      'iterations',
      { count: 2000, rate: 90.28 },
      { 'count>0': { ok: true } },
    );
    const gates = labResult(data, burstConfig).gates;
    expect(gates.at(-1)).toMatchObject({ metric: 'k6.iterations.count', value: 2000, passed: true });
  });

  it('calls the run invalid when k6 dropped iterations', () => {
    const data = withMetric(burstSummary, 'dropped_iterations', { count: 3, rate: 0.13 });
    const result = labResult(data, burstConfig);
    expect(result).toMatchObject({ valid: false, passed: true });
    expect(result.invalidReason).toMatch(/dropped 3 iteration/);
    expect(formatSummary(result)).toMatch(/^k6-burst-duplicate-gets: INVALID in 22\.2 s/);
  });

  it('derives metrics from the mapped ones (sse-listeners: expected = writes × listeners)', () => {
    const data: K6SummaryData = {
      state: { testRunDurationMs: 35_020 },
      metrics: {
        notifications_received: {
          type: 'counter',
          contains: 'default',
          values: { count: 19_950, rate: 569.7 },
          thresholds: { 'count>0': { ok: true } },
        },
        listeners_connected: { type: 'counter', contains: 'default', values: { count: 500, rate: 14.3 } },
        writes_accepted: { type: 'counter', contains: 'default', values: { count: 40, rate: 1.14 } },
        notification_latency: {
          type: 'trend',
          contains: 'time',
          values: { avg: 21.3, min: 4, med: 18, max: 160, 'p(90)': 35, 'p(95)': 48, 'p(99)': 92 },
          thresholds: { 'p(99)<500': { ok: true } },
        },
      },
    };
    const result = labResult(data, {
      scenario: 'k6-sse-listeners',
      finishedAt,
      labMetrics: {
        'notifications.latency.p99Ms': ['notification_latency', 'p(99)'],
        'notifications.delivered': ['notifications_received', 'count'],
        'listeners.connected': ['listeners_connected', 'count'],
        'events.accepted': ['writes_accepted', 'count'],
      },
      derive: (m) => ({
        'notifications.expected': (m['events.accepted'] ?? 0) * (m['listeners.connected'] ?? 0),
      }),
    });
    expect(result.metrics).toMatchObject({
      'notifications.latency.p99Ms': 92,
      'notifications.delivered': 19_950,
      'listeners.connected': 500,
      'events.accepted': 40,
      'notifications.expected': 20_000,
    });
    expect(result.gates.map((g) => [g.metric, g.passed])).toEqual([
      ['notifications.delivered', true],
      ['notifications.latency.p99Ms', true],
    ]);
  });
});

describe('formatSummary and summaryOutputs', () => {
  it('prints the verdict, one PASS/FAIL line per gate, the lab metrics and the file', () => {
    const failing = withMetric(
      burstSummary,
      'wave_latency',
      { ...burstSummary.metrics.wave_latency?.values, 'p(99)': 1204.5 },
      { 'p(99)<1000': { ok: false } },
    );
    const text = formatSummary(
      labResult(failing, burstConfig),
      'reports/k6-burst-duplicate-gets-latest.json',
    );
    expect(text.split('\n')).toEqual([
      'k6-burst-duplicate-gets: FAILED in 22.2 s',
      '  PASS cold bursts are de-duplicated (client hit rate) (deduplicated: rate>=0.98505): 0.995 >= 0.98505',
      '  PASS wave_responses: count>=2000: 2000 >= 2000',
      '  FAIL wave_latency: p(99)<1000: 1204.5 < 1000',
      '  PASS http_req_failed: rate<0.001: 0 < 0.001',
      '  PASS checks: rate>0.99: 1 > 0.99',
      '  dedupe.hitRate 0.995 · http.latency.p99Ms 1204.5',
      '  result: reports/k6-burst-duplicate-gets-latest.json',
      '',
    ]);
  });

  it('returns the text for stdout and the lab-shaped JSON under RESULT_JSON', () => {
    const outputs = summaryOutputs(burstSummary, { ...burstConfig, resultPath: 'out/burst.json' });
    expect(Object.keys(outputs).sort()).toEqual(['out/burst.json', 'stdout']);
    expect(outputs.stdout).toMatch(/^k6-burst-duplicate-gets: PASSED/);
    expect(JSON.parse(outputs['out/burst.json'] ?? '')).toEqual(labResult(burstSummary, burstConfig));
  });
});
