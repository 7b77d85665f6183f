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
      out: 'reports/bench/listeners.json',
    });
  });

  it('lists every bad value at once', () => {
    expect(() => parseListenersBenchArgs(['--listeners', '0', '--rate', 'x'], urls)).toThrow(
      /--listeners must be a positive integer.*--rate must be a positive number/,
    );
  });
});
