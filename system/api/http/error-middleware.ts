import type { ErrorRequestHandler } from 'express';
import { AppError, isAppError } from '../../shared/errors.ts';
import { httpErrorToAppError, sendProblem } from '../../shared/http-problem.ts';
import type { Logger } from '../../shared/logger.ts';
import { isBrokenCircuitError } from '../../shared/resilience-policy.ts';

/** Driver errors that mean the database is away, not that our code is wrong. */
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P03',
  'ESOCKET',
]);

/**
 * PostgreSQL SQLSTATE classes that mean the request carried bad data (22: data exception, e.g. NUL
 * in text or a bad uuid cast) or broke a constraint (23): the caller's fault, never a 500. The
 * worker dead-letters the same classes (translatePostgresError).
 */
const badDataSqlState = /^22[0-9A-Z]{3}$/;
const constraintSqlState = /^23[0-9A-Z]{3}$/;

export function toAppError(error: unknown, retryAfterSec: number): AppError {
  if (isAppError(error)) return error;
  if (isBrokenCircuitError(error)) return new AppError('circuit_open', { cause: error, retryAfterSec });
  const typed = error as { code?: unknown } | null;
  const fromHttp = httpErrorToAppError(error);
  if (fromHttp) return fromHttp;
  if (typeof typed?.code === 'string' && badDataSqlState.test(typed.code)) {
    return new AppError('validation_failed', { detail: 'the database rejected a value', cause: error });
  }
  if (typeof typed?.code === 'string' && constraintSqlState.test(typed.code)) {
    return new AppError('conflict', { cause: error });
  }
  if (typeof typed?.code === 'string' && unavailableCodes.has(typed.code)) {
    return new AppError('dependency_unavailable', { cause: error, retryAfterSec });
  }
  return new AppError('internal', { cause: error });
}

/** Maps every error to `application/problem+json` with a stable code; logs only 5xx as errors. */
export function createErrorMiddleware(options: {
  logger: Logger;
  retryAfterSec: number;
}): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const appError = toAppError(error, options.retryAfterSec);
    if (appError.status >= 500) options.logger.error({ err: error, code: appError.code }, 'request failed');
    sendProblem(res, appError, req.originalUrl);
  };
}

// The route helpers live with the problem writer; re-exported so the API's imports stay put.
export { methodNotAllowed, routeNotFound } from '../../shared/http-problem.ts';
