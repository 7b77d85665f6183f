import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';
import { prefixKeys } from './metric-names.ts';

/** Lowest value the histogram distinguishes, in microseconds. */
export const LOWEST_TRACKABLE_US = 1;
/** Highest value the histogram tracks: 10 minutes, in microseconds. Larger values are clamped. */
export const HIGHEST_TRACKABLE_US = 600_000_000;
const SIGNIFICANT_DIGITS = 3;

/** Percentiles of a latency distribution. Every duration is in milliseconds (suffix `Ms`). */
export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/**
 * An HDR histogram of latencies recorded in MICROSECONDS (1 µs .. 10 min, 3 significant digits,
 * i.e. every reported value is within 0.1% of the true one).
 *
 * Histograms from several workers are combined with {@link LatencyHistogram.merge} (bucket counts
 * are added), never by averaging their percentiles, which would be meaningless.
 */
export interface LatencyHistogram {
  /** Number of recorded samples. */
  readonly count: number;
  /** Records one latency (or `count` identical ones) in microseconds; clamped to 1 µs .. 10 min. */
  record(latencyUs: number, count?: number): void;
  /** Adds every sample of `other` into this histogram. */
  merge(other: LatencyHistogram): void;
  /** Value at percentile `p` (0..100) in microseconds; 0 when empty. */
  percentileUs(p: number): number;
  /** Summary in milliseconds; all zeros when empty. */
  summary(): LatencySummary;
  /** Compressed base64 form, to send to another thread or process ({@link decodeLatencyHistogram}). */
  encode(): string;
  reset(): void;
  /** The underlying hdr-histogram-js instance, for merging. */
  readonly hdr: Histogram;
}

export interface LatencyHistogramOptions {
  /**
   * Packed buckets use far less memory (a few KB instead of ~85 KB) at some recording cost;
   * use for many short-lived histograms such as one per second.
   */
  packed?: boolean;
}

function newHdr(packed: boolean): Histogram {
  return build({
    lowestDiscernibleValue: LOWEST_TRACKABLE_US,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    bitBucketSize: packed ? 'packed' : 32,
    autoResize: false,
  });
}

function clampUs(latencyUs: number): number {
  if (!Number.isFinite(latencyUs)) return HIGHEST_TRACKABLE_US;
  return Math.min(HIGHEST_TRACKABLE_US, Math.max(LOWEST_TRACKABLE_US, Math.round(latencyUs)));
}

const usToMs = (us: number): number => Math.round(us) / 1000;

function wrap(hdr: Histogram): LatencyHistogram {
  return {
    get count() {
      return hdr.totalCount;
    },
    hdr,
    record(latencyUs, count = 1) {
      if (count === 1) hdr.recordValue(clampUs(latencyUs));
      else if (count > 0) hdr.recordValueWithCount(clampUs(latencyUs), count);
    },
    merge(other) {
      hdr.add(other.hdr);
    },
    percentileUs(p) {
      return hdr.totalCount === 0 ? 0 : hdr.getValueAtPercentile(p);
    },
    summary() {
      if (hdr.totalCount === 0) {
        return { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
      }
      return {
        count: hdr.totalCount,
        minMs: usToMs(hdr.minNonZeroValue),
        meanMs: usToMs(hdr.mean),
        p50Ms: usToMs(hdr.getValueAtPercentile(50)),
        p90Ms: usToMs(hdr.getValueAtPercentile(90)),
        p99Ms: usToMs(hdr.getValueAtPercentile(99)),
        p999Ms: usToMs(hdr.getValueAtPercentile(99.9)),
        // Highest equivalent value of the top bucket: unlike `maxValue` it is the same after a merge.
        maxMs: usToMs(hdr.getValueAtPercentile(100)),
      };
    },
    encode() {
      return encodeIntoCompressedBase64(hdr);
    },
    reset() {
      hdr.reset();
    },
  };
}

/** Creates an empty latency histogram (microseconds). */
export function createLatencyHistogram(options: LatencyHistogramOptions = {}): LatencyHistogram {
  return wrap(newHdr(options.packed ?? false));
}

/** Rebuilds a histogram sent as {@link LatencyHistogram.encode} output. */
export function decodeLatencyHistogram(encoded: string): LatencyHistogram {
  const decoded = decodeFromCompressedBase64(encoded);
  // Copy into a histogram with our range so later merges never hit a narrower decoded range.
  const target = newHdr(false);
  target.add(decoded);
  return wrap(target);
}

/** Merges histograms encoded by several workers into one. */
export function mergeEncodedHistograms(encoded: Iterable<string>): LatencyHistogram {
  const merged = createLatencyHistogram();
  for (const item of encoded) merged.merge(decodeLatencyHistogram(item));
  return merged;
}

/**
 * Flattens a summary into dotted metric names under `prefix`, e.g. `http.latency` →
 * `{ 'http.latency.p99Ms': 12.3, 'http.latency.count': 1000, ... }`.
 */
export function latencyMetrics(prefix: string, summary: LatencySummary): Record<string, number> {
  return prefixKeys(prefix, summary);
}
