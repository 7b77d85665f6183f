// Composition root: config → logger → service → shutdown → listen. The shutdown is registered before
// listening, so a signal during start-up still closes what was built.
import { createLogger } from '../shared/logger.ts';
import { createGracefulShutdown } from '../shared/shutdown.ts';
import { startTracing } from '../shared/tracing.ts';
import { loadNotificationsConfig } from './config.ts';

const config = loadNotificationsConfig(process.env);
const logger = createLogger({ service: 'notifications', level: config.LOG_LEVEL });
const timeoutMs = config.SHUTDOWN_TIMEOUT_MS;
const shutdown = createGracefulShutdown({ logger, timeoutMs, handleSignals: true, exitWithParent: true });
// Registered first, so it stops last: the spans of the shutdown itself are flushed too.
const tracing = await startTracing({ service: 'notifications' });
shutdown.add({ name: 'tracing', run: () => tracing.shutdown() });
// Imported once tracing is up: its instrumentations patch what the service imports.
const { createNotificationsService } = await import('./service.ts');
const service = await createNotificationsService(config, logger);
shutdown.add({ name: 'notifications', run: () => service.close() });
await service.listen(config.PORT);
