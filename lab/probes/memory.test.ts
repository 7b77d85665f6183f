import { describe, expect, it } from 'vitest';
import { memoryGrowth, type MemorySample } from './memory.ts';

const mb = 2 ** 20;
const sample = (atMs: number, rssMb: number, service: MemorySample['service'] = 'api'): MemorySample => ({
  atMs,
  service,
  rssBytes: rssMb * mb,
  heapUsedBytes: (rssMb / 2) * mb,
});

describe('memory growth', () => {
  it('compares the median of the first and the last window, so one peak does not decide it', () => {
    const samples = [
      sample(0, 300), // warm-up, left out
      sample(10_000, 100),
      sample(15_000, 400), // a GC peak in the first window
      sample(20_000, 102),
      sample(50_000, 110),
      sample(55_000, 108),
      sample(60_000, 112),
      sample(60_000, 999, 'worker'),
    ];
    const growth = memoryGrowth(samples, 'api', (s) => s.rssBytes, {
      fromMs: 10_000,
      toMs: 60_000,
      windowMs: 15_000,
    });
    expect(growth).toEqual({ startMb: 102, endMb: 110, growthMb: 8 });
  });

  it('says nothing when a window has no sample', () => {
    expect(
      memoryGrowth([sample(10_000, 100)], 'api', (s) => s.rssBytes, {
        fromMs: 10_000,
        toMs: 60_000,
        windowMs: 5_000,
      }),
    ).toBeUndefined();
  });
});
