/** Minimal client for Prometheus' HTTP query API (https://prometheus.io/docs/prometheus/latest/querying/api/). */
export interface PromSeries {
  metric: Record<string, string>;
  /** Instant queries: [unix seconds, value]. */
  value?: [number, string];
  /** Range queries: [[unix seconds, value], …]. */
  values?: [number, string][];
}

export interface PromQueryResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: PromSeries[];
}

interface PromResponse {
  status: 'success' | 'error';
  data?: PromQueryResult;
  errorType?: string;
  error?: string;
}

async function call(url: string, path: string, params: Record<string, string>, timeoutMs: number) {
  const response = await fetch(new URL(path, url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as PromResponse;
  if (body.status !== 'success' || !body.data) {
    throw new Error(
      `prometheus ${path} failed (${response.status} ${body.errorType}): ${body.error} [${params.query}]`,
    );
  }
  return body.data;
}

/** Evaluates `expr` at `time` (unix seconds; now by default). Throws on a PromQL error. */
export function queryPrometheus(
  url: string,
  expr: string,
  { time, timeoutMs = 10_000 }: { time?: number; timeoutMs?: number } = {},
): Promise<PromQueryResult> {
  return call(
    url,
    '/api/v1/query',
    { query: expr, ...(time === undefined ? {} : { time: String(time) }) },
    timeoutMs,
  );
}

/** Evaluates `expr` over [start, end] (unix seconds) every `stepSec`. Throws on a PromQL error. */
export function queryPrometheusRange(
  url: string,
  expr: string,
  {
    start,
    end,
    stepSec = 5,
    timeoutMs = 10_000,
  }: { start: number; end: number; stepSec?: number; timeoutMs?: number },
): Promise<PromQueryResult> {
  return call(
    url,
    '/api/v1/query_range',
    { query: expr, start: String(start), end: String(end), step: String(stepSec) },
    timeoutMs,
  );
}

/** Scrape targets and their health, as Prometheus sees them. */
export async function prometheusTargets(
  url: string,
): Promise<{ job: string; instance: string; health: string; lastError: string }[]> {
  const response = await fetch(new URL('/api/v1/targets?state=active', url), {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as {
    data: { activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] };
  };
  return body.data.activeTargets.map((t) => ({
    job: t.labels.job ?? '',
    instance: t.labels.instance ?? '',
    health: t.health,
    lastError: t.lastError,
  }));
}

/** Waits until Prometheus has scraped every one of `jobs` successfully; throws naming the ones that are not up. */
export async function waitForTargetsUp(url: string, jobs: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let notUp: string[] = jobs;
  while (Date.now() < deadline) {
    const targets = await prometheusTargets(url);
    notUp = jobs.filter((job) => !targets.some((t) => t.job === job && t.health === 'up'));
    if (notUp.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`prometheus targets not up within ${timeoutMs} ms: ${notUp.join(', ')}`);
}
