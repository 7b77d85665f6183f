import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Request, RequestHandler, Response } from 'express';
import { extractTraceContext, parseTraceparent, tracingActive } from '../../shared/tracing.ts';
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
  inServerSpan(req, res, () => runWithContext(work, () => next()));
};

const tracer = trace.getTracer('event-lab');

/**
 * With tracing on, a server span for the request, child of the caller's `traceparent`: the
 * write's commit and outbox rows are made inside it, so their messages continue its trace.
 */
function inServerSpan(req: Request, res: Response, fn: () => void): void {
  if (!tracingActive()) return fn();
  const span = tracer.startSpan(
    req.method,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'url.path': req.path },
    },
    extractTraceContext(req.headers),
  );
  res.once('close', () => {
    const route = req.route as { path?: string } | undefined;
    if (route?.path) span.updateName(`${req.method} ${req.baseUrl}${route.path}`);
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(context.active(), span), fn);
}
