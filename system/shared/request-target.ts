import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptCorrelationId } from './correlation.ts';
import { AppError, toProblem } from './errors.ts';

/**
 * Checks the request target before express sees it. A proxy-style absolute-form target
 * (`GET http://host/api/students/…`) is rewritten to its origin-form path and query, so routing,
 * de-duplication keys and SSE parsing see one spelling. A target no URL parser accepts
 * (`http://[::1/…`, `http://x:99999/…`) is answered here with a 400 problem document: express's
 * URL parsing would otherwise answer an HTML 404 outside every middleware, or throw a 500.
 * Returns false when it answered the request.
 */
export function acceptRequestTarget(req: IncomingMessage, res: ServerResponse): boolean {
  const target = req.url ?? '';
  if (target.startsWith('/') && !target.startsWith('//') && URL.canParse(target, 'http://localhost')) {
    return true;
  }
  if (/^https?:\/\//i.test(target) && URL.canParse(target)) {
    const url = new URL(target);
    req.url = `${url.pathname}${url.search}`;
    return true;
  }
  answerMalformedTarget(req, res);
  return false;
}

function answerMalformedTarget(req: IncomingMessage, res: ServerResponse): void {
  const error = new AppError('malformed_request_target', {
    detail: 'send an origin-form path (/api/…) or an absolute http(s) URL',
  });
  const body = JSON.stringify(toProblem(error));
  res.writeHead(error.status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
    'x-correlation-id': acceptCorrelationId(req.headers['x-correlation-id']),
  });
  res.end(body);
}
