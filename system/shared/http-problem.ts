import type { RequestHandler, Response } from 'express';
import { AppError, toProblem, type ErrorCode } from './errors.ts';

/** body-parser's error `type`s and the code each becomes; none of them is a 500. */
export const bodyParserCodes: Record<string, ErrorCode> = {
  'entity.parse.failed': 'malformed_json',
  'entity.too.large': 'payload_too_large',
  'encoding.unsupported': 'unsupported_media_type',
  'charset.unsupported': 'unsupported_media_type',
  'entity.verify.failed': 'validation_failed',
  'request.aborted': 'validation_failed',
  'request.size.invalid': 'validation_failed',
};

/** Statuses express's own modules (`send`, `serve-static`, `router`) raise, and their codes. */
const statusCodes: Partial<Record<number, ErrorCode>> = {
  404: 'route_not_found',
  405: 'method_not_allowed',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
};

/**
 * The code of an error raised by express's own modules (body-parser, static files): they carry
 * a `type` or a 4xx `status` and are the client's fault. `undefined` for anything else.
 */
export function httpErrorToAppError(error: unknown): AppError | undefined {
  const typed = error as { type?: unknown; status?: unknown } | null;
  if (typeof typed?.type === 'string' && bodyParserCodes[typed.type]) {
    return new AppError(bodyParserCodes[typed.type]!, { cause: error });
  }
  if (typeof typed?.status === 'number' && typed.status >= 400 && typed.status < 500) {
    return new AppError(statusCodes[typed.status] ?? 'validation_failed', { cause: error });
  }
  return undefined;
}

/** Writes `error` as `application/problem+json` (RFC 9457), with `Retry-After` when it has one. */
export function sendProblem(res: Response, error: AppError, instance?: string): void {
  if (error.retryAfterSec !== undefined) res.setHeader('retry-after', String(error.retryAfterSec));
  res
    .status(error.status)
    .type('application/problem+json')
    .send(JSON.stringify(toProblem(error, instance)));
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
