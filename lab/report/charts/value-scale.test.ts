import { describe, expect, it } from 'vitest';
import { withSegments } from './gap-segments.ts';
import { OUTLIER_FACTOR, valueScale } from './value-scale.ts';

describe('valueScale', () => {
  const body = Array.from({ length: 50 }, (_, i) => 10 + (i % 10));

  it('switches to log when the maximum is more than the outlier factor times the 90th percentile', () => {
    expect(valueScale([...body, 2000])).toEqual({ type: 'log' });
    expect(valueScale([...body, OUTLIER_FACTOR * 19])).toEqual({ type: 'linear' });
  });

  it('stays linear when a value is zero, which a log axis cannot show', () => {
    expect(valueScale([0, ...body, 2000])).toEqual({ type: 'linear' });
  });
});

describe('withSegments', () => {
  it('starts a new segment after a gap longer than the limit', () => {
    const points = [{ tSec: 3 }, { tSec: 1 }, { tSec: 2 }, { tSec: 7 }, { tSec: 8 }];
    expect(withSegments(points, 1.5).map((p) => [p.tSec, p.segment])).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [7, 1],
      [8, 1],
    ]);
  });
});
