import type { RequestHandler } from 'express';
import { acceptCorrelationId, runWithContext } from '../../shared/correlation.ts';

/**
 * Accepts the caller's `X-Correlation-Id` (or makes one), echoes it, and runs the rest of the
 * request inside the correlation context, so logs and the envelopes of caused events carry it.
 */
export const correlationMiddleware: RequestHandler = (req, res, next) => {
  const correlationId = acceptCorrelationId(req.headers['x-correlation-id']);
  res.setHeader('x-correlation-id', correlationId);
  runWithContext({ correlationId }, () => next());
};
