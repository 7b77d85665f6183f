import { Router } from 'express';
import type { Registry } from 'prom-client';
import { checkHealth, type HealthCheck } from './health.ts';
import { routes } from '../../contracts/http.ts';

export interface OpsRoutesOptions {
  service: string;
  checks: HealthCheck[];
  registry: Registry;
  /** Per-check timeout in milliseconds. */
  checkTimeoutMs?: number;
}

/**
 * `/health` (every dependency), `/health/ready` (503 when a required dependency is down),
 * `/health/live` (the process runs) and `/metrics` (Prometheus exposition).
 */
export function createOpsRoutes({ service, checks, registry, checkTimeoutMs }: OpsRoutesOptions): Router {
  const router = Router();
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
  router.get(routes.metrics, async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
