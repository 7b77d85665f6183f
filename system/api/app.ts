import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from '../shared/logger.ts';
import type { ApiMetrics } from './api-metrics.ts';
import { correlationMiddleware } from './http/correlation-middleware.ts';
import { canonicalPath } from './http/request-fingerprint.ts';
import { createErrorMiddleware, routeNotFound } from './http/error-middleware.ts';
import { createStudentRouter } from './http/student-routes.ts';
import type { StudentService } from './students/student-service.ts';

export interface AppDeps {
  service: StudentService;
  dedupeGet: RequestHandler;
  dedupePut: RequestHandler;
  /** `/health*` and `/metrics` (createOpsRoutes). */
  ops: Router;
  logger: Logger;
  metrics: ApiMetrics;
  maxBodyBytes: number;
  /** Retry-After (seconds) on 503 answers. */
  retryAfterSec: number;
}

/** Observes every express-served request in the HTTP histogram under its route pattern. */
function httpMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const route = req.route
        ? canonicalPath(`${req.baseUrl}${String((req.route as { path: string }).path)}`)
        : 'unmatched';
      metrics.httpDuration.observe(
        { method: req.method, route, status: String(res.statusCode) },
        (performance.now() - started) / 1000,
      );
    });
    next();
  };
}

/** The API as an express app (no listen): the raw fast path sits in front of it (server.ts). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(correlationMiddleware);
  app.use(httpMetrics(deps.metrics));
  app.use(deps.ops);
  const students = createStudentRouter(deps);
  app.use('/api/students', students);
  app.use('/api/student', students);
  app.use(routeNotFound);
  app.use(createErrorMiddleware({ logger: deps.logger, retryAfterSec: deps.retryAfterSec }));
  return app;
}
