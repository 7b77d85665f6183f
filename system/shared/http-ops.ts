import { Router } from 'express';
import type { Registry } from 'prom-client';
import { checkHealth, type HealthCheck } from './health.ts';
import { routes } from '../../contracts/http.ts';
import { createJourneyRoutes, type JourneyLog } from './journey-log.ts';
import { createMetricsExposition } from './metrics-exposition.ts';

export interface OpsRoutesOptions {
  service: string;
  checks: HealthCheck[];
  registry: Registry;
  /** Per-check timeout in milliseconds. */
  checkTimeoutMs?: number;
  /** Serves `/journeys` when the log is on. */
  journeys?: JourneyLog;
}

/**
 * `/health` (every dependency), `/health/ready` (503 when a required dependency is down),
 * `/health/live` (the process runs) and `/metrics` (Prometheus exposition).
 */
export function createOpsRoutes(options: OpsRoutesOptions): Router {
  const { service, checks, registry, checkTimeoutMs } = options;
  const router = Router();
  if (options.journeys) router.use(createJourneyRoutes(options.journeys));
  const startedAt = Date.now();
  router.get('/health', async (_req, res) => {
    const report = await checkHealth(checks, checkTimeoutMs);
    res.status(report.ready ? 200 : 503).json({ service, ...report });
  });
  router.get(routes.healthReady, async (_req, res) => {
    const report = await checkHealth(
      checks.filter((c) => c.required),
      checkTimeoutMs,
    );
    res.status(report.ready ? 200 : 503).json({ service, status: report.status, ready: report.ready });
  });
  router.get(routes.healthLive, (_req, res) => {
    res.json({ service, status: 'healthy', uptimeSec: Math.round((Date.now() - startedAt) / 1000) });
  });
  const exposition = createMetricsExposition(registry);
  router.get(routes.metrics, async (req, res) => {
    const { contentType, body } = await exposition.render(req.get('accept'));
    res.type(contentType).send(body);
  });
  return router;
}
