// Composition root: load config → build adapters → create app → listen → register shutdown.
import { createLogger } from '../shared/logger.ts';
import { createGracefulShutdown } from '../shared/shutdown.ts';
import { loadApiConfig } from './config.ts';
import { createApiRuntime } from './runtime.ts';

const config = loadApiConfig(process.env);
const logger = createLogger({ service: 'api', level: config.LOG_LEVEL });
const shutdown = createGracefulShutdown({
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  handleSignals: true,
  exitWithParent: true,
});
const runtime = await createApiRuntime(config, logger);
shutdown.add({ name: 'api', run: () => runtime.close() });
const port = await runtime.listen(config.PORT);
logger.info(
  {
    host: config.HOST,
    port,
    instanceId: runtime.instanceId,
    publishMode: config.PUBLISH_MODE,
    dedupeMode: config.DEDUPE_MODE,
  },
  'api listening',
);
