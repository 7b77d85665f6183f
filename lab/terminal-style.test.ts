import { describe, expect, it } from 'vitest';
import { colourEnabled, colourVerdicts } from './terminal-style.ts';

describe('verdict colours', () => {
  it('colour only on a terminal, and never with NO_COLOR or a dumb terminal', () => {
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({}, {})).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    // An empty NO_COLOR does not count (no-color.org).
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
  });

  it('paint pass green, fail red and inconclusive yellow, and leave plain text alone', () => {
    const text = 'FAILED\n  PASS a: 1 == 1\n  FAIL b: 0 == 1\n  inconclusive x';
    expect(colourVerdicts(text, false)).toBe(text);
    const painted = colourVerdicts(text, true);
    expect(painted).toContain('\x1b[31mFAILED\x1b[39m');
    expect(painted).toContain('\x1b[32mPASS\x1b[39m a');
    expect(painted).toContain('\x1b[31mFAIL\x1b[39m b');
    expect(painted).toContain('\x1b[33minconclusive\x1b[39m');
    expect(
      painted
        .replaceAll(`\x1b[31m`, '')
        .replaceAll(`\x1b[32m`, '')
        .replaceAll(`\x1b[33m`, '')
        .replaceAll(`\x1b[39m`, ''),
    ).toBe(text);
  });
});
