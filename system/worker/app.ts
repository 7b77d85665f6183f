import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import type { HealthCheck } from '../shared/health.ts';
import { createOpsRoutes } from '../shared/http-ops.ts';
import type { JourneyLog } from '../shared/journey-log.ts';

export interface WorkerAppDeps {
  checks: HealthCheck[];
  registry: Registry;
  journey?: JourneyLog;
}

/** The worker's HTTP surface: `/health`, `/health/ready`, `/health/live`, `/metrics` (no listen). */
export function createApp({ checks, registry, journey }: WorkerAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  app.use(
    createOpsRoutes({ service: 'worker', checks, registry, ...(journey ? { journeys: journey } : {}) }),
  );
  return app;
}
