import type { RequestHandler } from 'express';
import { parseTraceparent } from '../../shared/tracing.ts';
import { acceptCorrelationId, runWithContext } from '../../shared/correlation.ts';
import { routes } from '../../../contracts/http.ts';

/** `/metrics` and `/health…`: operations' routes, not the business requests whose cost the lab divides. */
export function isOpsPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?', 1)[0] ?? '';
  return path === routes.metrics || path === '/health' || path.startsWith('/health/');
}

/**
 * Accepts the caller's `X-Correlation-Id` (or makes one), echoes it, and runs the rest of the
 * request inside the correlation context, so logs and the envelopes of caused events carry it.
 */
export const correlationMiddleware: RequestHandler = (req, res, next) => {
  const correlationId = acceptCorrelationId(req.headers['x-correlation-id']);
  res.setHeader('x-correlation-id', correlationId);
  if (isOpsPath(req.url)) return runWithContext({ correlationId }, () => next());
  const header = req.headers.traceparent;
  const traceparent = typeof header === 'string' && parseTraceparent(header) ? header : undefined;
  const work = { correlationId, cause: 'request' as const, ...(traceparent ? { traceparent } : {}) };
  runWithContext(work, () => next());
};
