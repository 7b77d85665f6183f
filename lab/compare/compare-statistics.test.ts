import { describe, expect, it } from 'vitest';
import {
  compareMedians,
  exactUCounts,
  mannWhitneyU,
  median,
  normalCdf,
  quantileSorted,
} from './compare-statistics.ts';

describe('median', () => {
  it('takes the middle value of an odd sample and the mean of the two middle values of an even one', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('refuses an empty sample', () => {
    expect(() => median([])).toThrow(/empty/);
  });
});

describe('quantileSorted', () => {
  it('interpolates linearly between order statistics like R type 7', () => {
    // R: quantile(1:10, c(0.025, 0.975)) gives 1.225 and 9.775.
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantileSorted(sorted, 0.025)).toBeCloseTo(1.225, 12);
    expect(quantileSorted(sorted, 0.975)).toBeCloseTo(9.775, 12);
    expect(quantileSorted(sorted, 0)).toBe(1);
    expect(quantileSorted(sorted, 1)).toBe(10);
  });
});

describe('normalCdf', () => {
  it('matches the standard normal table', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6);
    expect(normalCdf(-3)).toBeCloseTo(0.001349898, 7);
  });
});

describe('exactUCounts', () => {
  it('counts the arrangements of two samples of 3 and 4 by U', () => {
    // Partitions of u into at most 3 parts of at most 4; C(7, 3) = 35 in total.
    expect(exactUCounts(3, 4)).toEqual([1, 1, 2, 3, 4, 4, 5, 4, 4, 3, 2, 1, 1]);
  });
});

describe('mannWhitneyU', () => {
  it('gives the exact p-value of completely separated samples (2 / C(6, 3) and 2 / C(10, 5))', () => {
    expect(mannWhitneyU([4, 5, 6], [1, 2, 3])).toEqual({ u: 0, pValue: 0.1, method: 'exact' });
    const five = mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]);
    expect(five.u).toBe(0);
    expect(five.pValue).toBeCloseTo(2 / 252, 12);
  });

  it('gives the exact p-value of interleaved samples without ties', () => {
    // Candidate 3,5,6,7 against baseline 1,2,4: U = 11 of 12, P(U ≥ 11) = 2/35, two-sided 4/35.
    const result = mannWhitneyU([1, 2, 4], [3, 5, 6, 7]);
    expect(result.u).toBe(11);
    expect(result.pValue).toBeCloseTo(4 / 35, 12);
    expect(mannWhitneyU([5.5, 0.5, 6.6, 7.7, 8.8], [1.1, 2.2, 3.3, 4.4]).pValue).toBeCloseTo(
      0.19047619047619047,
      12,
    );
  });

  it('keeps the precision of tiny exact p-values of large samples', () => {
    // 40 against 40, completely separated: 2 / C(80, 40).
    const choose80of40 = Number(107507208733336176461620n);
    const baseline = Array.from({ length: 40 }, (_, i) => i + 100);
    const candidate = Array.from({ length: 40 }, (_, i) => i);
    const { pValue, method } = mannWhitneyU(baseline, candidate);
    expect(method).toBe('exact');
    expect(pValue / (2 / choose80of40)).toBeCloseTo(1, 9);
    const oneSwap = mannWhitneyU([38.5, ...baseline.slice(1)], candidate);
    // U = 1: 2 · (1 + 1) / C(80, 40).
    expect(oneSwap.pValue / (4 / choose80of40)).toBeCloseTo(1, 9);
  });

  it('is symmetric: swapping the sides keeps the p-value and mirrors U', () => {
    const forward = mannWhitneyU([1, 2, 4], [3, 5, 6, 7]);
    const backward = mannWhitneyU([3, 5, 6, 7], [1, 2, 4]);
    expect(backward.u).toBe(12 - forward.u);
    expect(backward.pValue).toBeCloseTo(forward.pValue, 12);
  });

  it('uses the normal approximation with tie and continuity corrections when values tie', () => {
    // Pooled 1 2 2 2 3 3 4 5: the candidate's ranks 1 + 3 + 3 + 5.5 = 12.5, U = 2.5, mean 8.
    // σ² = 16/12 · (9 − (3³−3 + 2³−2) / (8·7)) = 11.2857; z = (2.5 − 8 + 0.5) / 3.3594 = −1.4884.
    const result = mannWhitneyU([2, 3, 4, 5], [1, 2, 2, 3]);
    expect(result.method).toBe('normal');
    expect(result.u).toBe(2.5);
    expect(result.pValue).toBeCloseTo(0.1366582477381475, 6);
    expect(mannWhitneyU([10, 11, 11, 14, 15, 15], [10, 10, 11, 12, 13]).pValue).toBeCloseTo(
      0.3051980278051718,
      6,
    );
  });

  it('switches to the normal approximation for samples of 50 or more', () => {
    const candidate = Array.from({ length: 60 }, (_, i) => i + 1);
    const baseline = candidate.map((v) => v + 5.5);
    const result = mannWhitneyU(baseline, candidate);
    expect(result).toMatchObject({ u: 1485, method: 'normal' });
    expect(result.pValue).toBeCloseTo(0.09880047992003485, 6);
  });

  it('gives p = 1 when every value is the same', () => {
    expect(mannWhitneyU([3, 3, 3], [3, 3])).toEqual({ u: 3, pValue: 1, method: 'normal' });
  });
});

describe('compareMedians', () => {
  const baseline = [100, 102, 98, 101, 99, 100, 103, 97];

  it('gives a tight interval around 1 when the candidate matches the baseline', () => {
    const result = compareMedians(baseline, [101, 99, 100, 98, 102, 100, 97, 103]);
    expect(result.scale).toBe('ratio');
    expect(result.ratio).toBe(1);
    expect(result.ci95[0]).toBeLessThan(1);
    expect(result.ci95[1]).toBeGreaterThan(1);
    expect(result.ci95[1] - result.ci95[0]).toBeLessThan(0.06);
  });

  it('puts the interval wholly above 1 when the candidate is 30 % slower', () => {
    const result = compareMedians(
      baseline,
      baseline.map((v) => v * 1.3),
    );
    expect(result.ratio).toBeCloseTo(1.3, 12);
    expect(result.ci95[0]).toBeGreaterThan(1.2);
    expect(result.ci95[1]).toBeLessThan(1.4);
  });

  it('is reproducible for one seed and differs for another', () => {
    const candidate = [110, 95, 120, 101, 99, 130, 90, 105];
    const first = compareMedians(baseline, candidate, { seed: 7 });
    expect(compareMedians(baseline, candidate, { seed: 7 })).toEqual(first);
    expect(compareMedians(baseline, candidate, { seed: 8 }).ci95).not.toEqual(first.ci95);
  });

  it('compares differences when the baseline median is zero', () => {
    const result = compareMedians([0, 0, 0, 0, 0], [2, 3, 2, 2, 3]);
    expect(result).toMatchObject({ scale: 'difference', ratio: null, difference: 2 });
    expect(result.ci95[0]).toBeGreaterThanOrEqual(2);
    expect(result.ci95[1]).toBeLessThanOrEqual(3);
  });

  it('compares differences when a baseline resample could have a zero median', () => {
    // Median 1, but three zeros in seven values make a zero-median resample likely.
    const result = compareMedians([0, 0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]);
    expect(result.scale).toBe('difference');
    expect(result.difference).toBe(0);
  });

  it('compares differences when values are negative', () => {
    const result = compareMedians([-5, -4, -6], [-5, -5, -4]);
    expect(result.scale).toBe('difference');
    expect(result.ratio).toBeNull();
  });
});
