import type { ProblemDocument as ContractProblemDocument } from '../../contracts/http.ts';
/**
 * The one error table: every error the system answers with has a stable `code`, an HTTP status
 * and a human title. HTTP handlers turn an {@link AppError} into `application/problem+json`.
 */
export const errorTable = {
  validation_failed: { status: 400, title: 'The request body or parameters are invalid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  malformed_id: { status: 400, title: 'The id in the path is not a valid id' },
  malformed_request_target: { status: 400, title: 'The request target is not a valid URL' },
  malformed_request: { status: 400, title: 'The request is not valid HTTP' },
  request_timeout: { status: 408, title: 'The request did not arrive in time' },
  headers_too_large: { status: 431, title: 'The request headers are too large' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  origin_not_allowed: { status: 403, title: 'The Origin is not allowed' },
  not_found: { status: 404, title: 'The resource does not exist' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'The method is not allowed on this route' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  precondition_failed: { status: 412, title: 'A precondition in the request headers does not hold' },
  idempotency_key_reused: { status: 422, title: 'The Idempotency-Key was used with a different request' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The content type is not supported' },
  range_not_satisfiable: { status: 416, title: 'The requested range is not satisfiable' },
  dependency_unavailable: { status: 503, title: 'A dependency is unavailable; retry later' },
  circuit_open: { status: 503, title: 'The circuit breaker is open; retry later' },
  timeout: { status: 504, title: 'A dependency did not answer in time' },
  internal: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorTable;

export interface AppErrorOptions {
  detail?: string;
  cause?: unknown;
  /** Extra members for the problem document (e.g. validation `errors`). */
  extensions?: Record<string, unknown>;
  /** Seconds, for 503 answers. */
  retryAfterSec?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extensions: Record<string, unknown> | undefined;
  readonly retryAfterSec: number | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.detail ?? errorTable[code].title, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorTable[code].status;
    this.extensions = options.extensions;
    this.retryAfterSec = options.retryAfterSec;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** A failure that retrying cannot fix: consumers dead-letter the message at once. */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

export const isNonRetryableError = (e: unknown): e is NonRetryableError => e instanceof NonRetryableError;

export interface ProblemDocument extends ContractProblemDocument {
  code: ErrorCode;
}

/** RFC 9457 problem document for an error code. */
export function toProblem(error: AppError, instance?: string): ProblemDocument {
  const { title, status } = errorTable[error.code];
  return {
    type: `urn:event-lab:problem:${error.code}`,
    title,
    status,
    code: error.code,
    ...(error.message !== title ? { detail: error.message } : {}),
    ...(instance ? { instance } : {}),
    ...error.extensions,
  };
}
