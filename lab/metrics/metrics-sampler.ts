import {
  histogramBuckets,
  parsePrometheusText,
  quantileFromBuckets,
  subtractBuckets,
  sumSamples,
  type PromSample,
} from './prometheus-text.ts';

/** The slice of `fetch` the sampler uses; tests pass a fake. */
export type FetchLike = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export interface ScrapeTarget {
  /** Short name used by series, e.g. `api`. */
  name: string;
  /** The `/metrics` URL. */
  url: string;
  /**
   * More processes of the same service: scraped with `url`, their samples read as one scrape
   * (counters and histogram buckets add up, gauges such as RSS give the total).
   */
  moreUrls?: readonly string[];
}

/** A timeline series computed from each scrape of one target. */
export interface SeriesSpec {
  /** Series name in the timeline, e.g. `api.dedupe.hitRate`. */
  name: string;
  target: string;
  /**
   * Value for this scrape. `previous` is the target's previous successful scrape (undefined on
   * the first), `elapsedSec` the time between them, so rates and per-interval quantiles work.
   */
  extract(
    current: readonly PromSample[],
    previous: readonly PromSample[] | undefined,
    elapsedSec: number,
  ): number | undefined;
}

export interface TimelinePoint {
  /** Seconds since the sampler's `startMs`. */
  tSec: number;
  value: number;
}

export interface MetricsSamplerDeps {
  targets: readonly ScrapeTarget[];
  series: readonly SeriesSpec[];
  /** Poll interval, milliseconds. Default 1000. */
  intervalMs?: number;
  /** Per-scrape timeout, milliseconds. Default 800 (below the interval, so scrapes never pile up). */
  timeoutMs?: number;
  /** Run start in epoch ms; timeline `tSec` counts from here. Default: creation time. */
  startMs?: number;
  fetch?: FetchLike;
  /** Epoch milliseconds. */
  nowMs?: () => number;
}

export interface MetricsSampler {
  /** Scrapes every target once and appends the series values. Never throws; failures are counted. */
  sampleOnce(): Promise<void>;
  /** Starts polling every `intervalMs`. */
  start(): void;
  /** Stops polling and waits for an in-progress scrape. Idempotent. */
  stop(): Promise<void>;
  timeline(): Record<string, TimelinePoint[]>;
  /** Failed scrapes per target, with the last error message. */
  errors(): Record<string, { count: number; last: string }>;
}

interface Scrape {
  atMs: number;
  samples: PromSample[];
}

export function createMetricsSampler(deps: MetricsSamplerDeps): MetricsSampler {
  const intervalMs = deps.intervalMs ?? 1000;
  const timeoutMs = deps.timeoutMs ?? 800;
  const doFetch: FetchLike = deps.fetch ?? ((url, init) => fetch(url, init));
  const nowMs = deps.nowMs ?? Date.now;
  const startMs = deps.startMs ?? nowMs();
  const previous = new Map<string, Scrape>();
  const points = new Map<string, TimelinePoint[]>(deps.series.map((s) => [s.name, []]));
  const failures = new Map<string, { count: number; last: string }>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  const scrapeOne = async (url: string): Promise<PromSample[]> => {
    const response = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
    return parsePrometheusText(await response.text()).samples;
  };
  const scrape = async (target: ScrapeTarget): Promise<Scrape> => {
    const all = await Promise.all([target.url, ...(target.moreUrls ?? [])].map(scrapeOne));
    return { atMs: nowMs(), samples: all.flat() };
  };

  const record = (target: ScrapeTarget, current: Scrape): void => {
    const before = previous.get(target.name);
    const elapsedSec = before ? (current.atMs - before.atMs) / 1000 : 0;
    for (const spec of deps.series) {
      if (spec.target !== target.name) continue;
      const value = spec.extract(current.samples, before?.samples, elapsedSec);
      if (value !== undefined && Number.isFinite(value)) {
        points.get(spec.name)?.push({ tSec: (current.atMs - startMs) / 1000, value });
      }
    }
    previous.set(target.name, current);
  };

  const sampleOnce = async (): Promise<void> => {
    await Promise.all(
      deps.targets.map(async (target) => {
        try {
          record(target, await scrape(target));
        } catch (error) {
          const entry = failures.get(target.name) ?? { count: 0, last: '' };
          entry.count += 1;
          entry.last = error instanceof Error ? error.message : String(error);
          failures.set(target.name, entry);
        }
      }),
    );
  };

  const tick = (): void => {
    const started = nowMs();
    running = sampleOnce().finally(() => {
      running = undefined;
      // Schedule from the tick's start so the series keeps a steady 1/interval cadence.
      if (!stopped) timer = setTimeout(tick, Math.max(0, intervalMs - (nowMs() - started)));
    });
  };

  return {
    sampleOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
    timeline() {
      return Object.fromEntries([...points].map(([name, list]) => [name, [...list]]));
    },
    errors() {
      return Object.fromEntries(failures);
    },
  };
}

type Labels = Record<string, string>;

/** Series: current value of a gauge (summed over matching label sets). */
export function gaugeSeries(name: string, target: string, metric: string, filter?: Labels): SeriesSpec {
  return { name, target, extract: (current) => sumSamples(current, metric, filter) };
}

/** Series: per-second rate of a counter between scrapes. */
export function counterRateSeries(name: string, target: string, metric: string, filter?: Labels): SeriesSpec {
  return {
    name,
    target,
    extract(current, previous, elapsedSec) {
      const delta = counterDelta(current, previous, metric, filter);
      return delta === undefined || elapsedSec <= 0 ? undefined : delta / elapsedSec;
    },
  };
}

/** Series: ratio of two counters' increases between scrapes, e.g. dedupe hits / requests (0..1). */
export function counterRatioSeries(
  name: string,
  target: string,
  numerator: { metric: string; filter?: Labels },
  denominator: { metric: string; filter?: Labels },
): SeriesSpec {
  return {
    name,
    target,
    extract(current, previous) {
      const num = counterDelta(current, previous, numerator.metric, numerator.filter);
      const den = counterDelta(current, previous, denominator.metric, denominator.filter);
      return num === undefined || den === undefined || den <= 0 ? undefined : num / den;
    },
  };
}

/** Series: quantile `q` (0..1) of a histogram over the observations made since the previous scrape. */
export function histogramQuantileSeries(
  name: string,
  target: string,
  baseName: string,
  q: number,
  filter?: Labels,
): SeriesSpec {
  return {
    name,
    target,
    extract(current, previous) {
      if (!previous) return undefined;
      const now = histogramBuckets(current, baseName, filter);
      return quantileFromBuckets(subtractBuckets(now, histogramBuckets(previous, baseName, filter)), q);
    },
  };
}

function counterDelta(
  current: readonly PromSample[],
  previous: readonly PromSample[] | undefined,
  metric: string,
  filter?: Labels,
): number | undefined {
  if (!previous) return undefined;
  const now = sumSamples(current, metric, filter);
  if (now === undefined) return undefined;
  const before = sumSamples(previous, metric, filter) ?? 0;
  // A counter that went down was reset (service restart): count from zero.
  return now >= before ? now - before : now;
}
