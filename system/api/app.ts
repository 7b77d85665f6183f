import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from '../shared/logger.ts';
import type { ApiMetrics } from './api-metrics.ts';
import type { OriginPolicy } from '../shared/origin-policy.ts';
import { correlationMiddleware } from './http/correlation-middleware.ts';
import { createCorsMiddleware } from './http/cors-middleware.ts';
import { canonicalPath } from './http/request-fingerprint.ts';
import { createErrorMiddleware, routeNotFound } from './http/error-middleware.ts';
import { createStudentRouter } from './http/student-routes.ts';
import type { StudentService } from './students/student-service.ts';
import { httpMetricsMiddleware, matchedRoute } from '../shared/http-metrics-middleware.ts';
import { routes } from '../../contracts/http.ts';

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
  /** Which browser origins may call the API from another origin (CORS_ORIGINS). */
  origins: OriginPolicy;
}

/** The API as an express app (no listen): the raw fast path sits in front of it (server.ts). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // JSON only: helmet's defaults (nosniff, a deny-all CSP, no framing) cost nothing here.
  app.use(helmet());
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(correlationMiddleware);
  app.use(createCorsMiddleware(deps.origins));
  app.use(
    httpMetricsMiddleware(deps.metrics.httpDuration, {
      routeOf: (req) => (req.route ? canonicalPath(matchedRoute(req)) : 'unmatched'),
    }),
  );
  app.use(deps.ops);
  const students = createStudentRouter(deps);
  app.use(routes.students, students);
  app.use('/api/student', students);
  app.use(routeNotFound);
  app.use(createErrorMiddleware({ logger: deps.logger, retryAfterSec: deps.retryAfterSec }));
  return app;
}
