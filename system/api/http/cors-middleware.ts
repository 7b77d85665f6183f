import type { RequestHandler } from 'express';
import { AppError } from '../../shared/errors.ts';
import type { OriginPolicy } from '../../shared/origin-policy.ts';

const allowedMethods = 'GET, POST, PUT, DELETE';
const allowedHeaders = 'Content-Type, Authorization, Idempotency-Key, X-Correlation-Id, Traceparent';
const exposedHeaders = 'Location, X-Correlation-Id, X-Deduplicated, Idempotent-Replayed, Retry-After';

/**
 * CORS for the origins in `CORS_ORIGINS` only. A listed origin gets its own name back (never `*`)
 * and its preflights answered; a preflight from any other origin is refused with a problem
 * document, and its simple requests get no CORS headers, so the browser keeps the answer from it.
 */
export function createCorsMiddleware(origins: OriginPolicy): RequestHandler {
  return (req, res, next) => {
    const { origin, host } = req.headers;
    if (origin === undefined) return next();
    res.vary('Origin');
    const allowed = origins.corsOrigin(origin, host);
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (preflight && !allowed && !origins.allows(origin, host)) {
      throw new AppError('origin_not_allowed', { detail: `Origin ${origin} may not call this API` });
    }
    if (!allowed) return next();
    res.setHeader('access-control-allow-origin', allowed);
    res.setHeader('access-control-expose-headers', exposedHeaders);
    if (!preflight) return next();
    res.setHeader('access-control-allow-methods', allowedMethods);
    res.setHeader('access-control-allow-headers', allowedHeaders);
    res.setHeader('access-control-max-age', '600');
    res.status(204).end();
  };
}
