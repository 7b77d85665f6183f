import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { fileURLToPath } from 'node:url';
import type { Histogram, Registry } from 'prom-client';
import type { HealthCheck } from '../shared/health.ts';
import { AppError } from '../shared/errors.ts';
import { createOpsRoutes } from '../shared/http-ops.ts';
import type { JourneyLog } from '../shared/journey-log.ts';
import { methodNotAllowed, routeNotFound } from '../shared/http-problem.ts';
import type { Logger } from '../shared/logger.ts';
import { createNotificationsErrorMiddleware } from './error-middleware.ts';
import type { OriginPolicy } from '../shared/origin-policy.ts';
import { httpMetricsMiddleware } from '../shared/http-metrics-middleware.ts';
import type { SseHub } from './sse.ts';
import { routes } from '../../contracts/http.ts';
import { securityHeaders } from './security-headers.ts';
import { ssePaths as streamPaths } from './sse-route.ts';

const ssePaths = [...streamPaths];

export interface AppDeps {
  sse: SseHub;
  registry: Registry;
  /** `http_request_duration_seconds`; SSE streams are left out (their duration is a connection's life). */
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  checks: HealthCheck[];
  /** The Business API the test pages link to and the student form posts to (through the proxy). */
  apiBaseUrl: string;
  /** Bounds the proxied POST, in milliseconds (default 10,000). */
  proxyTimeoutMs?: number;
  logger: Pick<Logger, 'error'>;
  /** Which browser origins may open a stream (CORS_ORIGINS). */
  origins: OriginPolicy;
  /** Served from `/journeys` when on. */
  journeys?: JourneyLog;
}

const publicDir = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * Forwards the test page's "create a student" form to the real API, so the page works whatever
 * CORS policy the API has. The correlation id and the trace context travel through.
 */
function proxyCreateStudent(apiBaseUrl: string, timeoutMs: number) {
  return async (req: Request, res: Response) => {
    const correlationId = req.get('x-correlation-id');
    const traceparent = req.get('traceparent');
    try {
      const upstream = await fetch(new URL('/api/students', apiBaseUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
          ...(traceparent ? { traceparent } : {}),
        },
        body: JSON.stringify(req.body ?? {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      for (const name of ['content-type', 'location', 'x-correlation-id']) {
        const value = upstream.headers.get(name);
        if (value) res.setHeader(name, value);
      }
      res.status(upstream.status).send(Buffer.from(await upstream.arrayBuffer()));
    } catch (error) {
      throw new AppError('dependency_unavailable', {
        detail: `the API at ${apiBaseUrl} did not answer: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      });
    }
  };
}

/** 415 for a proxied body that is not JSON (the API would refuse it too, less clearly). */
const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json')) {
    throw new AppError('unsupported_media_type', { detail: 'send application/json' });
  }
  next();
};

/**
 * `HEAD` on the stream: the headers a GET would send, then the end. Without it express runs the
 * GET handler for HEAD, which opens a stream that never answers.
 */
const headStream: RequestHandler = (_req, res) => {
  res.status(200).setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-cache, no-transform');
  res.end();
};

/**
 * A stream opened by a page of another origin is refused unless that origin is listed; a listed
 * one gets CORS headers naming it (never `*`).
 */
const checkOrigin =
  (origins: OriginPolicy): RequestHandler =>
  (req, res, next) => {
    const { origin, host } = req.headers;
    if (!origins.allows(origin, host)) {
      throw new AppError('origin_not_allowed', { detail: `Origin ${origin} may not open this stream` });
    }
    const allowed = origins.corsOrigin(origin, host);
    res.setHeader('vary', 'Origin');
    if (allowed) res.setHeader('access-control-allow-origin', allowed);
    next();
  };

/** The HTTP side of the service (no listen): SSE, test pages, their config, the proxy, ops routes. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use(httpMetricsMiddleware(deps.httpDuration, { skip: (req) => ssePaths.includes(req.path) }));
  app.use(
    createOpsRoutes({
      service: 'notifications',
      checks: deps.checks,
      registry: deps.registry,
      ...(deps.journeys ? { journeys: deps.journeys } : {}),
    }),
  );
  app.head(ssePaths, headStream);
  app.get(ssePaths, checkOrigin(deps.origins), (req, res) => deps.sse.handle(req, res));
  app.all(ssePaths, methodNotAllowed('GET, HEAD'));
  app.get('/config.json', (_req, res) => {
    res.json({
      apiBaseUrl: deps.apiBaseUrl,
      ssePath: routes.notificationsStream,
      socketIoPath: routes.socketIo,
    });
  });
  app.post(
    '/proxy/api/students',
    requireJson,
    express.json({ limit: '16kb' }),
    proxyCreateStudent(deps.apiBaseUrl, deps.proxyTimeoutMs ?? 10_000),
  );
  app.all('/proxy/api/students', methodNotAllowed('POST'));
  app.use(express.static(publicDir, { index: 'index.html', maxAge: 0 }));
  app.use(routeNotFound);
  app.use(createNotificationsErrorMiddleware({ logger: deps.logger }));
  return app;
}
