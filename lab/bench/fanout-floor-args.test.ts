import { describe, expect, it } from 'vitest';
import { parseFloorArgs } from './fanout-floor-args.ts';

describe('bench:floor options', () => {
  it('defaults to 10,000 listeners at one notification a second over four listener processes', () => {
    expect(parseFloorArgs([])).toEqual({
      listeners: 10_000,
      ratePerSec: 1,
      durationSec: 30,
      workers: 4,
      servers: 1,
      out: 'reports/bench/fanout-floor.json',
    });
  });

  it('names every bad option at once', () => {
    expect(() => parseFloorArgs(['--listeners', '0', '--rate', 'fast', '--servers', '1.5'])).toThrow(
      /--listeners must be a positive integer \(got "0"\); --rate must be a positive number \(got "fast"\); --servers must be a positive integer \(got "1.5"\)/,
    );
  });

  it('refuses more listeners or server connections per process than its open-file limit allows', () => {
    expect(() => parseFloorArgs(['--listeners', '50000'])).toThrow(/--servers is too small/);
    expect(() => parseFloorArgs(['--listeners', '50000', '--workers', '2', '--servers', '4'])).toThrow(
      /--workers is too small/,
    );
    expect(parseFloorArgs(['--listeners', '50000', '--servers', '4']).servers).toBe(4);
  });
});

describe('bench options, a typo', () => {
  it('is one line naming the option meant and the list', () => {
    expect(() => parseFloorArgs(['--listners', '5'])).toThrow(
      'unknown option --listners; did you mean --listeners? (options: --listeners --rate --duration --workers --servers --out)',
    );
  });
});
