import type { Request, RequestHandler } from 'express';
import type { Histogram } from 'prom-client';

/** The route pattern a request matched (`/api/students/:id`), or `unmatched`. */
export const matchedRoute = (req: Request): string =>
  req.route ? `${req.baseUrl}${String((req.route as { path: string }).path)}` : 'unmatched';

export interface HttpMetricsOptions {
  /** Label for the request's route; by default the express route pattern it matched. */
  routeOf?: (req: Request) => string;
  /** Requests not to observe, e.g. long-lived streams whose "duration" is a connection's lifetime. */
  skip?: (req: Request) => boolean;
}

/** Observes every request in `http_request_duration_seconds{method, route, status}`, in seconds. */
export function httpMetricsMiddleware(
  histogram: Histogram<'method' | 'route' | 'status'>,
  { routeOf = matchedRoute, skip }: HttpMetricsOptions = {},
): RequestHandler {
  return (req, res, next) => {
    if (skip?.(req)) return next();
    const started = performance.now();
    res.once('finish', () => {
      histogram.observe(
        { method: req.method, route: routeOf(req), status: String(res.statusCode) },
        (performance.now() - started) / 1000,
      );
    });
    next();
  };
}
