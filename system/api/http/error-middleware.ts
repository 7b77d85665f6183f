import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { AppError, isAppError, toProblem, type ErrorCode } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import { isBrokenCircuitError } from '../../shared/resilience-policy.ts';

/** body-parser's error `type`s and the code each becomes; none of them is a 500. */
const bodyParserCodes: Record<string, ErrorCode> = {
  'entity.parse.failed': 'malformed_json',
  'entity.too.large': 'payload_too_large',
  'encoding.unsupported': 'unsupported_media_type',
  'charset.unsupported': 'unsupported_media_type',
  'entity.verify.failed': 'validation_failed',
  'request.aborted': 'validation_failed',
  'request.size.invalid': 'validation_failed',
};

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
  const typed = error as { type?: unknown; code?: unknown; status?: unknown; message?: unknown } | null;
  if (typeof typed?.type === 'string' && bodyParserCodes[typed.type]) {
    return new AppError(bodyParserCodes[typed.type]!, { cause: error });
  }
  if (typeof typed?.code === 'string' && badDataSqlState.test(typed.code)) {
    return new AppError('validation_failed', { detail: 'the database rejected a value', cause: error });
  }
  if (typeof typed?.code === 'string' && constraintSqlState.test(typed.code)) {
    return new AppError('conflict', { cause: error });
  }
  if (typeof typed?.code === 'string' && unavailableCodes.has(typed.code)) {
    return new AppError('dependency_unavailable', { cause: error, retryAfterSec });
  }
  if (typeof typed?.status === 'number' && typed.status >= 400 && typed.status < 500) {
    return new AppError('validation_failed', { cause: error });
  }
  return new AppError('internal', { cause: error });
}

export function sendProblem(res: Response, error: AppError, instance?: string): void {
  if (error.retryAfterSec !== undefined) res.setHeader('retry-after', String(error.retryAfterSec));
  res
    .status(error.status)
    .type('application/problem+json')
    .send(JSON.stringify(toProblem(error, instance)));
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

export const routeNotFound: RequestHandler = (req) => {
  throw new AppError('route_not_found', { detail: `no route ${req.method} ${req.path}` });
};

export const methodNotAllowed =
  (allow: string): RequestHandler =>
  (req, res) => {
    res.setHeader('allow', allow);
    throw new AppError('method_not_allowed', { detail: `${req.method} is not allowed; use ${allow}` });
  };
