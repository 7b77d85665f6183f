// Placeholder entry point until the notifications service lands: it starts, reports health, and stops
// cleanly on SIGTERM/SIGINT (see README "Status").
import express from 'express';
import { z } from 'zod';
import { env, loadConfig } from '../shared/config.ts';
import { createOpsRoutes } from '../shared/http-ops.ts';
import { createLogger } from '../shared/logger.ts';
import { createServiceMetrics } from '../shared/metrics.ts';
import { createGracefulShutdown } from '../shared/shutdown.ts';

const config = loadConfig(
  'notifications',
  z.object({ PORT: env.port(5001), LOG_LEVEL: env.logLevel() }),
  process.env,
);
const logger = createLogger({ service: 'notifications', level: config.LOG_LEVEL });
const metrics = createServiceMetrics('notifications');
const app = express();
app.use(createOpsRoutes({ service: 'notifications', checks: [], registry: metrics.registry }));
const server = app.listen(config.PORT, () =>
  logger.info({ port: config.PORT }, 'notifications listening (placeholder)'),
);
const shutdown = createGracefulShutdown({
  logger,
  timeoutMs: 10_000,
  handleSignals: true,
  exitWithParent: true,
});
shutdown.add({ name: 'http', run: () => new Promise<void>((resolve) => server.close(() => resolve())) });
