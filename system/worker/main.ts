// Worker composition root: config → adapters → worker + ops HTTP → listen → graceful shutdown.
import { createServer } from 'node:http';
import {
  applyHttpServerLimits,
  httpServerLimitsOf,
  httpServerOptions,
} from '../shared/http-server-limits.ts';
import { createLogger } from '../shared/logger.ts';
import { createGracefulShutdown } from '../shared/shutdown.ts';
import { loadWorkerConfig } from './config.ts';
import { createWorkerRuntime } from './worker-runtime.ts';

const config = loadWorkerConfig(process.env);
const logger = createLogger({ service: 'worker', level: config.LOG_LEVEL });
const shutdown = createGracefulShutdown({
  logger,
  timeoutMs: config.WORKER_SHUTDOWN_TIMEOUT_MS + 2_000,
  handleSignals: true,
  exitWithParent: true,
});

const runtime = await createWorkerRuntime(config, { logger });
const limits = httpServerLimitsOf(config);
const server = createServer(httpServerOptions(limits), runtime.app);
applyHttpServerLimits(server, limits);
server.listen(config.PORT, config.HOST, () =>
  logger.info({ host: config.HOST, port: config.PORT, prefetch: config.WORKER_PREFETCH }, 'worker listening'),
);
// Steps run last-added first: stop consuming and drain before the ops endpoint goes away.
// Only /health and /metrics live here: keep-alive connections (a scraper's) are cut, not awaited.
shutdown.add({
  name: 'http',
  run: () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
});
shutdown.add({ name: 'worker', run: () => runtime.close(config.WORKER_SHUTDOWN_TIMEOUT_MS) });
await runtime.worker.start();
