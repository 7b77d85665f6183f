/** Toxiproxy's error table (api.go): the message prefix and HTTP status of every API error. */
export const apiErrors = {
  badRequestBody: { message: 'bad request body', status: 400 },
  missingField: { message: 'missing required field', status: 400 },
  proxyNotFound: { message: 'proxy not found', status: 404 },
  proxyAlreadyExists: { message: 'proxy already exists', status: 409 },
  invalidStream: { message: 'stream was invalid, can be either upstream or downstream', status: 400 },
  invalidToxicType: { message: 'invalid toxic type', status: 400 },
  toxicAlreadyExists: { message: 'toxic already exists', status: 409 },
  toxicNotFound: { message: 'toxic not found', status: 404 },
  badRequestPath: { message: 'bad request path', status: 400 },
  browserRejected: { message: 'User agent not allowed', status: 403 },
  listenFailed: { message: 'listen failed', status: 500 },
  internal: { message: 'internal error', status: 500 },
} as const;

export type ApiErrorCode = keyof typeof apiErrors;

/** Serialised as Toxiproxy does: {"error": message, "status": code}. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    detail?: string,
    options?: ErrorOptions,
  ) {
    super(detail === undefined ? apiErrors[code].message : `${apiErrors[code].message}: ${detail}`, options);
  }

  get status(): number {
    return apiErrors[this.code].status;
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
