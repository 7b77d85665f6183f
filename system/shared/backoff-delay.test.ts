import { describe, expect, it } from 'vitest';
import { computeBackoffDelayMs } from './backoff-delay.ts';

const bounds = { initialDelayMs: 100, maxDelayMs: 1_000 };

describe('computeBackoffDelayMs', () => {
  it('doubles the cap per attempt and stops at maxDelayMs', () => {
    const caps = [1, 2, 3, 4, 5, 50, 5_000].map((attempt) => computeBackoffDelayMs(attempt, bounds, () => 1));
    expect(caps).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('keeps half of the cap fixed and jitters the other half', () => {
    expect(computeBackoffDelayMs(3, bounds, () => 0)).toBe(200);
    expect(computeBackoffDelayMs(3, bounds, () => 0.5)).toBe(300);
    const samples = Array.from({ length: 200 }, () => computeBackoffDelayMs(3, bounds));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...samples)).toBeLessThanOrEqual(400);
    expect(new Set(samples).size).toBeGreaterThan(10);
  });
});
