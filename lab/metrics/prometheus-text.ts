/** One sample of the Prometheus text exposition format. */
export interface PromSample {
  /** Full sample name, including `_bucket`/`_sum`/`_count`/`_total` suffixes. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  samples: PromSample[];
  /** `# TYPE` declarations: metric family name → counter | gauge | histogram | summary | untyped. */
  types: Record<string, string>;
}

const SAMPLE_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?\s*$/;

/**
 * Parses Prometheus text format 0.0.4 (as served by prom-client). Malformed lines are collected
 * in `errors` rather than thrown, so one odd series never loses a whole scrape.
 */
export function parsePrometheusText(text: string): ParsedMetrics & { errors: string[] } {
  const samples: PromSample[] = [];
  const types: Record<string, string> = {};
  const errors: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m?.[1] && m[2]) types[m[1]] = m[2];
      continue;
    }
    const m = SAMPLE_RE.exec(line);
    const labels = m ? parseLabels(m[3] ?? '') : undefined;
    const value = m?.[4] !== undefined ? parseValue(m[4]) : undefined;
    if (!m?.[1] || !labels || value === undefined) {
      errors.push(line);
      continue;
    }
    samples.push({ name: m[1], labels, value });
  }
  return { samples, types, errors };
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/** Parses `a="x",b="y\"z"`; returns undefined when malformed. */
function parseLabels(body: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    while (body[i] === ' ' || body[i] === ',') i++;
    if (i >= body.length) break;
    const eq = body.indexOf('=', i);
    if (eq < 0 || body[eq + 1] !== '"') return undefined;
    const key = body.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < body.length && body[j] !== '"'; j++) {
      if (body[j] === '\\') {
        j++;
        value += body[j] === 'n' ? '\n' : (body[j] ?? '');
      } else value += body[j];
    }
    if (j >= body.length) return undefined;
    labels[key] = value;
    i = j + 1;
  }
  return labels;
}

/** True when every label in `filter` has the given value. */
export function matchesLabels(sample: PromSample, filter: Record<string, string> = {}): boolean {
  return Object.entries(filter).every(([k, v]) => sample.labels[k] === v);
}

/** Sum of every sample named `name` whose labels match `filter`; undefined when none match. */
export function sumSamples(
  samples: readonly PromSample[],
  name: string,
  filter?: Record<string, string>,
): number | undefined {
  let sum: number | undefined;
  for (const s of samples) if (s.name === name && matchesLabels(s, filter)) sum = (sum ?? 0) + s.value;
  return sum;
}

/** One cumulative histogram bucket: observations ≤ `le`. */
export interface Bucket {
  le: number;
  count: number;
}

/** Cumulative buckets of histogram `baseName` (reads `<base>_bucket`), summed over non-filtered labels. */
export function histogramBuckets(
  samples: readonly PromSample[],
  baseName: string,
  filter?: Record<string, string>,
): Bucket[] {
  const byLe = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${baseName}_bucket` || !matchesLabels(s, filter) || s.labels.le === undefined) continue;
    const le = parseValue(s.labels.le);
    if (le === undefined) continue;
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  return [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** Bucket counts observed between two scrapes (`current − previous`), for per-interval quantiles. */
export function subtractBuckets(current: readonly Bucket[], previous: readonly Bucket[]): Bucket[] {
  const before = new Map(previous.map((b) => [b.le, b.count]));
  // A counter reset (process restart) makes the delta negative: then the current counts are the delta.
  const reset = current.some((b) => b.count < (before.get(b.le) ?? 0));
  return current.map((b) => ({ le: b.le, count: reset ? b.count : b.count - (before.get(b.le) ?? 0) }));
}

/**
 * Quantile `q` (0..1) estimated from cumulative buckets by linear interpolation inside the bucket,
 * like PromQL `histogram_quantile`. Units are the histogram's (prom-client usually uses seconds).
 * Undefined when there are no observations; the highest finite bound when q falls in `+Inf`.
 */
export function quantileFromBuckets(buckets: readonly Bucket[], q: number): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0 || buckets.length === 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket <= 0 ? b.le : prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/** Quantile `q` of histogram `baseName` over all observations so far. */
export function histogramQuantile(
  samples: readonly PromSample[],
  baseName: string,
  q: number,
  filter?: Record<string, string>,
): number | undefined {
  return quantileFromBuckets(histogramBuckets(samples, baseName, filter), q);
}

/**
 * Scrapes every process of one service and reads them as one scrape: counters and histogram
 * buckets add up, gauges such as RSS give the total.
 */
export async function scrapeProcesses(urls: readonly string[], timeoutMs: number): Promise<PromSample[]> {
  const texts = await Promise.all(
    urls.map(async (url) => {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      return response.text();
    }),
  );
  return texts.flatMap((text) => parsePrometheusText(text).samples);
}
