import { describe, expect, it } from 'vitest';
import { parseListenersBenchArgs } from './listeners-bench-args.ts';

const urls = { amqpUrl: 'amqp://x', redisUrl: 'redis://x' };

describe('bench:listeners arguments', () => {
  it('keeps the defaults of the original bench', () => {
    expect(parseListenersBenchArgs([], urls)).toMatchObject({
      listeners: 10_000,
      ratePerSec: 2,
      durationSec: 30,
      workers: 4,
      libraryShare: 0.1,
      out: 'reports/bench/listeners.json',
    });
  });

  it('takes the share of library clients from --library-share, 0 and 1 included', () => {
    expect(parseListenersBenchArgs(['--library-share', '0'], urls).libraryShare).toBe(0);
    expect(parseListenersBenchArgs(['--library-share', '1'], urls).libraryShare).toBe(1);
    expect(parseListenersBenchArgs(['--library-share', '0.25'], urls).libraryShare).toBe(0.25);
  });

  it('names --library-share when it is not a share', () => {
    for (const bad of ['1.5', '-0.1', 'half', ''])
      expect(() => parseListenersBenchArgs([`--library-share=${bad}`], urls)).toThrow(
        `--library-share must be a number within 0..1 (got "${bad}")`,
      );
  });

  it('lists every bad value at once', () => {
    expect(() => parseListenersBenchArgs(['--listeners', '0', '--rate', 'x'], urls)).toThrow(
      /--listeners must be a positive integer.*--rate must be a positive number/,
    );
  });
});
