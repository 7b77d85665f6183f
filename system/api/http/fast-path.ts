import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter, Histogram } from 'prom-client';
import { acceptCorrelationId } from '../../shared/correlation.ts';
import { requestFingerprint } from './request-fingerprint.ts';
import type { ResponseCache } from './response-cache.ts';

export interface FastPathOptions {
  cache: ResponseCache;
  /** Route label shared with the express path's metrics. */
  route: string;
  counter: Counter<'route' | 'outcome'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/** Returns true when it answered the request; false hands it to express. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Serves de-duplication cache hits straight from `node:http`, in front of express: a hit costs one
 * fingerprint and one Map lookup, not express's routing and middleware (the burst scenarios hammer
 * this path). Anything else, including an expired entry, falls through to express unchanged.
 */
export function createFastPath({ cache, route, counter, httpDuration }: FastPathOptions): FastPath {
  const cachedCount = counter.labels({ route, outcome: 'cached' });
  const durations = new Map<number, ReturnType<typeof httpDuration.labels>>();
  const durationFor = (status: number) => {
    let child = durations.get(status);
    if (!child)
      durations.set(status, (child = httpDuration.labels({ method: 'GET', route, status: String(status) })));
    return child;
  };

  return (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || !url.startsWith('/api/student')) return false;
    const started = performance.now();
    const hit = cache.get(requestFingerprint('GET', url, '', req.headers.authorization ?? ''));
    if (!hit) return false;
    const headers: Record<string, string | number> = {
      'content-type': hit.contentType,
      'content-length': hit.body.length,
      'x-deduplicated': 'true',
      'x-content-type-options': 'nosniff',
      'x-correlation-id': acceptCorrelationId(req.headers['x-correlation-id']),
    };
    res.writeHead(hit.status, headers);
    res.end(hit.body);
    cachedCount.inc();
    durationFor(hit.status).observe((performance.now() - started) / 1000);
    return true;
  };
}
