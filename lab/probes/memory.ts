import { setTimeout as sleep } from 'node:timers/promises';
import type { ScenarioContext } from '../experiment/context.ts';
import { sumSamples } from '../metrics/prometheus-text.ts';
import type { ServiceName } from '../target/target.ts';

/** One service's memory at one scrape (prom-client's default process and heap gauges). */
export interface MemorySample {
  atMs: number;
  service: ServiceName;
  rssBytes: number;
  heapUsedBytes: number;
}

export interface MemoryPoller {
  samples(): readonly MemorySample[];
  stop(): Promise<void>;
}

/** Scrapes every service's RSS and used heap every `intervalMs` until stopped. */
export function startMemoryPoller(
  ctx: ScenarioContext,
  services: readonly ServiceName[],
  intervalMs = 5_000,
): MemoryPoller {
  const samples: MemorySample[] = [];
  let running = true;
  const loop = (async () => {
    while (running && !ctx.signal.aborted) {
      const atMs = Date.now();
      for (const service of services) {
        const scraped = await ctx.scrape(service).catch(() => undefined);
        const rssBytes = scraped && sumSamples(scraped, 'process_resident_memory_bytes');
        const heapUsedBytes = scraped && sumSamples(scraped, 'nodejs_heap_size_used_bytes');
        if (rssBytes !== undefined && heapUsedBytes !== undefined)
          samples.push({ atMs, service, rssBytes, heapUsedBytes });
      }
      await sleep(intervalMs, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
  })();
  return {
    samples: () => samples,
    async stop() {
      running = false;
      await loop;
    },
  };
}

export interface MemoryGrowth {
  /** Median over the first window after warm-up, in MiB. */
  startMb: number;
  /** Median over the last window, in MiB. */
  endMb: number;
  growthMb: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/**
 * How much `pick` grew between the first `windowMs` after `fromMs` and the last `windowMs` up to
 * `toMs`. Medians, so one garbage-collection peak does not decide it; undefined when either
 * window has no sample.
 */
export function memoryGrowth(
  samples: readonly MemorySample[],
  service: ServiceName,
  pick: (s: MemorySample) => number,
  span: { fromMs: number; toMs: number; windowMs: number },
): MemoryGrowth | undefined {
  const own = samples.filter((s) => s.service === service);
  const first = own.filter((s) => s.atMs >= span.fromMs && s.atMs < span.fromMs + span.windowMs).map(pick);
  const last = own.filter((s) => s.atMs > span.toMs - span.windowMs && s.atMs <= span.toMs).map(pick);
  if (first.length === 0 || last.length === 0) return undefined;
  const startMb = median(first) / 2 ** 20;
  const endMb = median(last) / 2 ** 20;
  return { startMb, endMb, growthMb: endMb - startMb };
}
