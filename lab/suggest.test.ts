import { describe, expect, it } from 'vitest';
import { closest } from './suggest.ts';

describe('closest', () => {
  it('suggests the name a typo was meant to be, and nothing for something else entirely', () => {
    expect(closest('durration', ['duration', 'rate', 'listeners'])).toBe('duration');
    expect(closest('smok', ['smoke', 'soak', 'slow-broker'])).toBe('smoke');
    expect(closest('banana', ['duration', 'rate'])).toBeUndefined();
  });
});
