import type { ErrorRequestHandler } from 'express';
import { AppError, isAppError } from '../shared/errors.ts';
import { httpErrorToAppError, sendProblem } from '../shared/http-problem.ts';
import type { Logger } from '../shared/logger.ts';

/**
 * The notifications service's last middleware: every error (an {@link AppError}, a body-parser or
 * static-file error, a bug) becomes `application/problem+json` with a code from the one error
 * table, never express's HTML page with a stack trace. Only 5xx are logged as errors.
 */
export function createNotificationsErrorMiddleware(options: {
  logger: Pick<Logger, 'error'>;
}): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    // A stream already under way cannot become a problem document; express closes the connection.
    if (res.headersSent) return next(error);
    const appError = isAppError(error)
      ? error
      : (httpErrorToAppError(error) ?? new AppError('internal', { cause: error }));
    if (appError.status >= 500) options.logger.error({ err: error, code: appError.code }, 'request failed');
    sendProblem(res, appError, req.originalUrl);
  };
}
