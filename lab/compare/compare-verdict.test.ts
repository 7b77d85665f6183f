import { describe, expect, it } from 'vitest';
import {
  compareMetric,
  exitCodeFor,
  judgeExact,
  judgeInterval,
  overallOf,
  overallVerdict,
  type ComparedMetric,
} from './compare-verdict.ts';

const latency: ComparedMetric = { metric: 'http.latency.p99Ms', direction: 'lower', tolerance: 0.1 };
const throughput: ComparedMetric = { metric: 'http.throughputPerSec', direction: 'higher', tolerance: 0.1 };

describe('judgeInterval', () => {
  it('calls a lower-is-better metric a regression only when the whole interval is above the band', () => {
    expect(judgeInterval(latency, 'ratio', [1.11, 1.3])).toBe('regression');
    expect(judgeInterval(latency, 'ratio', [1.09, 1.3])).toBe('inconclusive');
    expect(judgeInterval(latency, 'ratio', [1.1, 1.3])).toBe('inconclusive');
  });

  it('calls it an improvement when the whole interval is below the band', () => {
    expect(judgeInterval(latency, 'ratio', [0.7, 0.89])).toBe('improvement');
  });

  it('mirrors the directions for a higher-is-better metric', () => {
    expect(judgeInterval(throughput, 'ratio', [0.7, 0.89])).toBe('regression');
    expect(judgeInterval(throughput, 'ratio', [1.11, 1.3])).toBe('improvement');
  });

  it('calls a metric equivalent only when the whole interval is inside the band', () => {
    expect(judgeInterval(latency, 'ratio', [0.9, 1.1])).toBe('equivalent');
    expect(judgeInterval(latency, 'ratio', [0.95, 1.12])).toBe('inconclusive');
    expect(judgeInterval(latency, 'ratio', [0.5, 1.5])).toBe('inconclusive');
  });

  it('uses the absolute tolerance around 0 on the difference scale', () => {
    expect(judgeInterval(latency, 'difference', [1, 3])).toBe('regression');
    expect(judgeInterval(latency, 'difference', [0, 0])).toBe('equivalent');
    expect(judgeInterval({ ...latency, absoluteTolerance: 5 }, 'difference', [1, 3])).toBe('equivalent');
    expect(judgeInterval({ ...latency, absoluteTolerance: 5 }, 'difference', [1, 6])).toBe('inconclusive');
  });
});

describe('judgeExact', () => {
  const sqlPerWrite = { direction: 'lower', tolerance: 0 } as const;

  it('calls one more statement per write a regression and one fewer an improvement', () => {
    expect(judgeExact(sqlPerWrite, 3, 4)).toBe('regression');
    expect(judgeExact(sqlPerWrite, 3, 2)).toBe('improvement');
    expect(judgeExact(sqlPerWrite, 0, 1)).toBe('regression');
  });

  it('ignores floating-point noise but not a change beyond the tolerance', () => {
    expect(judgeExact(sqlPerWrite, 0.3, 0.1 + 0.2)).toBe('equivalent');
    expect(judgeExact({ direction: 'lower', tolerance: 0.05 }, 100, 104)).toBe('equivalent');
    expect(judgeExact({ direction: 'lower', tolerance: 0.05 }, 100, 106)).toBe('regression');
    expect(judgeExact({ direction: 'higher', tolerance: 0 }, 100, 99)).toBe('regression');
  });
});

describe('compareMetric', () => {
  const baseline = [100, 102, 98, 101, 99, 100, 103, 97];

  it('finds a 30 % latency increase a regression with a small p-value', () => {
    const result = compareMetric(
      latency,
      baseline,
      baseline.map((v) => v * 1.3),
    );
    expect(result.verdict).toBe('regression');
    expect(result.scale).toBe('ratio');
    expect(result.pValue).toBeLessThan(0.001);
    expect(result.baseline).toEqual({ median: 100, values: baseline });
  });

  it('finds the same values equivalent', () => {
    const result = compareMetric(latency, baseline, [...baseline].reverse());
    expect(result).toMatchObject({ verdict: 'equivalent', ratio: 1, pValue: 1 });
  });

  it('stays inconclusive with fewer than three rounds per side, however large the change', () => {
    const result = compareMetric(latency, [100, 100], [200, 200]);
    expect(result.verdict).toBe('inconclusive');
    expect(result.note).toMatch(/fewer than 3 rounds/);
  });

  it('compares an exact counter without statistics and notes a counter that varied', () => {
    const spec: ComparedMetric = {
      metric: 'api.sqlStatementsPerWrite',
      direction: 'lower',
      tolerance: 0,
      exact: true,
    };
    expect(compareMetric(spec, [3, 3, 3], [4, 4, 4])).toMatchObject({
      verdict: 'regression',
      exact: true,
      ratio: 4 / 3,
      ci95: [4 / 3, 4 / 3],
      pValue: null,
    });
    expect(compareMetric(spec, [3, 3], [3, 3])).toMatchObject({ verdict: 'equivalent' });
    expect(compareMetric(spec, [3, 3, 3], [3, 4, 3]).note).toMatch(/varied/);
    expect(compareMetric(spec, [0, 0, 0], [1, 1, 1])).toMatchObject({
      verdict: 'regression',
      scale: 'difference',
      ratio: null,
    });
  });
});

describe('overallVerdict and exitCodeFor', () => {
  it('ranks invalid over regression over improvement over inconclusive', () => {
    expect(overallVerdict(true, ['equivalent'])).toBe('invalid');
    expect(overallVerdict(false, [])).toBe('invalid');
    expect(overallVerdict(false, ['improvement', 'regression', 'inconclusive'])).toBe('regression');
    expect(overallVerdict(false, ['improvement', 'inconclusive'])).toBe('improvement');
    expect(overallVerdict(false, ['equivalent', 'equivalent'])).toBe('equivalent');
    expect(overallVerdict(false, ['equivalent', 'inconclusive'])).toBe('inconclusive');
  });

  it('exits 1 on regression, 2 when invalid and 0 otherwise', () => {
    expect(exitCodeFor('regression')).toBe(1);
    expect(exitCodeFor('invalid')).toBe(2);
    expect(exitCodeFor('inconclusive')).toBe(0);
    expect(exitCodeFor('improvement')).toBe(0);
    expect(exitCodeFor('equivalent')).toBe(0);
  });
});

describe('a regression the change means to make', () => {
  it('still shows on its metric, but the comparison neither regresses nor fails because of it', () => {
    const regressed = { verdict: 'regression' as const, accepted: true };
    expect(overallOf(false, [regressed, { verdict: 'equivalent' }])).toBe('inconclusive');
    expect(exitCodeFor(overallOf(false, [regressed, { verdict: 'equivalent' }]))).toBe(0);
    expect(overallOf(false, [regressed, { verdict: 'regression' }])).toBe('regression');
    expect(overallOf(false, [{ verdict: 'regression' }])).toBe('regression');
  });
});
