import { describe, expect, it } from 'vitest';
import { createBackoff } from './reconnect-backoff.ts';

describe('reconnect backoff', () => {
  it('doubles from 1 s up to 5 s when the draw adds nothing', () => {
    const backoff = createBackoff({ random: () => 0 });
    expect([1, 2, 3, 4].map(() => backoff.next())).toEqual([1000, 2000, 4000, 5000]);
  });

  it('moves each delay by up to half of itself, down or up by the same draw', () => {
    // 0.4 → digit 4 (even): down by 0.4 × 0.5; 0.5 → digit 5 (odd): up by 0.5 × 0.5.
    expect(createBackoff({ random: () => 0.4 }).next()).toBe(800);
    expect(createBackoff({ random: () => 0.5 }).next()).toBe(1250);
  });

  it('starts again from the first delay after a reset', () => {
    const backoff = createBackoff({ random: () => 0 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(1000);
  });
});
