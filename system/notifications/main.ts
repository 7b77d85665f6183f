// Composition root of the notifications service: config → service → listen → shutdown.
import { createLogger } from '../shared/logger.ts';
import { createGracefulShutdown } from '../shared/shutdown.ts';
import { loadNotificationsConfig } from './config.ts';
import { createNotificationsService } from './service.ts';

const config = loadNotificationsConfig(process.env);
const logger = createLogger({ service: 'notifications', level: config.LOG_LEVEL });
const service = createNotificationsService(config, logger);
const shutdown = createGracefulShutdown({
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  handleSignals: true,
  exitWithParent: true,
});
shutdown.add({ name: 'notifications', run: () => service.close() });
await service.start();
