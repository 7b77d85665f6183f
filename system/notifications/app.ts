import express, { type Express, type Request, type Response } from 'express';
import { fileURLToPath } from 'node:url';
import type { Histogram, Registry } from 'prom-client';
import type { HealthCheck } from '../shared/health.ts';
import { createOpsRoutes } from '../shared/http-ops.ts';
import { httpMetricsMiddleware } from '../shared/http-metrics-middleware.ts';
import type { SseHub } from './sse.ts';
import { routes } from '../../contracts/http.ts';

const ssePaths: string[] = [routes.notificationsStream, routes.notificationsStreamAlias];

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
}

const publicDir = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * Forwards the test page's "create a student" form to the real API, so the page works whatever
 * CORS policy the API has. The correlation id travels through.
 */
function proxyCreateStudent(apiBaseUrl: string, timeoutMs: number) {
  return async (req: Request, res: Response) => {
    const correlationId = req.get('x-correlation-id');
    try {
      const upstream = await fetch(new URL('/api/students', apiBaseUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
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
      res
        .status(502)
        .type('application/problem+json')
        .json({
          type: 'urn:event-lab:problem:dependency_unavailable',
          title: 'The API did not answer',
          status: 502,
          code: 'dependency_unavailable',
          detail: `${apiBaseUrl}: ${error instanceof Error ? error.message : String(error)}`,
        });
    }
  };
}

/** The HTTP side of the service (no listen): SSE, test pages, their config, the proxy, ops routes. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(httpMetricsMiddleware(deps.httpDuration, { skip: (req) => ssePaths.includes(req.path) }));
  app.use(createOpsRoutes({ service: 'notifications', checks: deps.checks, registry: deps.registry }));
  app.get(ssePaths, (req, res) => deps.sse.handle(req, res));
  app.get('/config.json', (_req, res) => {
    res.json({
      apiBaseUrl: deps.apiBaseUrl,
      ssePath: routes.notificationsStream,
      socketIoPath: routes.socketIo,
    });
  });
  app.post(
    '/proxy/api/students',
    express.json({ limit: '16kb' }),
    proxyCreateStudent(deps.apiBaseUrl, deps.proxyTimeoutMs ?? 10_000),
  );
  app.use(express.static(publicDir, { index: 'index.html', maxAge: 0 }));
  return app;
}
