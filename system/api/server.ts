import http from 'node:http';
import type { Express } from 'express';
import type { HealthCheck } from '../shared/health.ts';
import { createOpsRoutes } from '../shared/http-ops.ts';
import {
  applyHttpServerLimits,
  defaultHttpServerLimits,
  httpServerLimitsOf,
  httpServerOptions,
  type HttpServerLimits,
} from '../shared/http-server-limits.ts';
import { createOriginPolicy } from '../shared/origin-policy.ts';
import { acceptRequestTarget } from '../shared/request-target.ts';
import type { JourneyLog } from '../shared/journey-log.ts';
import type { Logger } from '../shared/logger.ts';
import type { ApiMetrics } from './api-metrics.ts';
import { createApp } from './app.ts';
import type { ApiConfig } from './config.ts';
import { createDedupeMiddleware } from './http/dedupe-middleware.ts';
import { createFastPath, type FastPath } from './http/fast-path.ts';
import type { ResponseCache } from './http/response-cache.ts';
import type { StudentService } from './students/student-service.ts';
import { routes } from '../../contracts/http.ts';

/**
 * The HTTP server: de-duplication cache hits are answered by the raw fast path, everything else by
 * express. Listening is the caller's business.
 */
export function createApiServer(
  app: Express,
  fastPath: FastPath,
  limits: HttpServerLimits = defaultHttpServerLimits,
): http.Server {
  const server = http.createServer(httpServerOptions(limits), (req, res) => {
    if (!acceptRequestTarget(req, res)) return;
    if (!fastPath(req, res)) void app(req, res);
  });
  applyHttpServerLimits(server, limits);
  return server;
}

/** Express app (with per-route de-duplication) behind the raw fast path (only in `cache` mode). */
export function createHttpLayer(deps: {
  config: ApiConfig;
  service: StudentService;
  checks: HealthCheck[];
  responses: ResponseCache;
  metrics: ApiMetrics;
  logger: Logger;
  retryAfterSec: number;
  journey?: JourneyLog;
}): { app: Express; server: http.Server } {
  const { config, metrics, responses } = deps;
  const dedupe = (windowSec: number) =>
    createDedupeMiddleware({
      route: routes.student,
      windowSec,
      mode: config.DEDUPE_MODE,
      cache: responses,
      followerWaitMs: config.DEDUPE_FOLLOWER_WAIT_MS,
      counter: metrics.dedupeRequests,
    });
  const app = createApp({
    service: deps.service,
    dedupeGet: dedupe(config.DEDUPE_GET_WINDOW_SEC),
    dedupePut: dedupe(config.DEDUPE_PUT_WINDOW_SEC),
    ops: createOpsRoutes({
      service: 'api',
      checks: deps.checks,
      registry: metrics.registry,
      ...(deps.journey ? { journeys: deps.journey } : {}),
    }),
    logger: deps.logger,
    metrics,
    maxBodyBytes: config.MAX_BODY_BYTES,
    retryAfterSec: deps.retryAfterSec,
    origins: createOriginPolicy(config.CORS_ORIGINS),
  });
  const fastPath = createFastPath({
    cache: responses,
    route: routes.student,
    counter: metrics.dedupeRequests,
    httpDuration: metrics.httpDuration,
  });
  return {
    app,
    server: createApiServer(
      app,
      config.DEDUPE_MODE === 'cache' ? fastPath : () => false,
      httpServerLimitsOf(config),
    ),
  };
}
