import autocannon from 'autocannon';

export interface AutocannonLoadOptions {
  url: string;
  connections: number;
  durationSec: number;
  /** Requests per second over all connections (fixed rate); omit for max throughput. */
  overallRate?: number;
  requests?: autocannon.Request[];
  /** Called with every response's status and whether it carried `X-Deduplicated: true`. */
  onResponse?(status: number, deduplicated: boolean): void;
  signal?: AbortSignal;
}

export interface AutocannonLoadResult {
  /** autocannon's own result (latency in whole ms — use the lab's µs measurements where it matters). */
  raw: autocannon.Result;
  statuses: Record<string, number>;
  deduplicated: number;
  responses: number;
}

/** autocannon keeps the server's header case and turns repeated headers into arrays. */
export function isDeduplicatedHeader(headers: Record<string, unknown> | undefined): boolean {
  if (!headers) return false;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== 'x-deduplicated') continue;
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    return values.some((v) => String(v).toLowerCase() === 'true');
  }
  return false;
}

/**
 * Throughput load through autocannon's programmatic API, counting every response's status and
 * `X-Deduplicated` header. Coordinated-omission "correction" is off: autocannon's is unit-buggy
 * (see reference/tool-anchors.md §7); fixed-rate latency truth comes from runHttpAtFixedRate.
 */
export async function runAutocannon(options: AutocannonLoadOptions): Promise<AutocannonLoadResult> {
  const statuses: Record<string, number> = {};
  let deduplicated = 0;
  let responses = 0;
  const count = (status: number, headers: Record<string, unknown> | undefined): void => {
    responses += 1;
    statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    const dedup = isDeduplicatedHeader(headers);
    if (dedup) deduplicated += 1;
    options.onResponse?.(status, dedup);
  };
  const requests = (options.requests ?? [{ method: 'GET' }]).map((r) => ({
    ...r,
    onResponse: (status: number, _body: string, _context: object, headers: Record<string, unknown>) =>
      count(status, headers),
  }));
  let finish: (error: Error | null, result: autocannon.Result) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (error, result) => (error ? reject(error) : resolve(result));
  });
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.durationSec,
      ...(options.overallRate ? { overallRate: options.overallRate } : {}),
      ignoreCoordinatedOmission: true,
      requests: requests as autocannon.Request[],
    },
    (error: Error | null, result: autocannon.Result) => finish(error, result),
  );
  const onAbort = (): void => instance.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const raw = await done;
    return { raw, statuses, deduplicated, responses };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
