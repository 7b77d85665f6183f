// Composition root: config → logger → service → shutdown → listen. The shutdown is registered before
// listening, so a signal during start-up still closes what was built.
import { createLogger } from '../shared/logger.ts';
import { createGracefulShutdown } from '../shared/shutdown.ts';
import { startTracing } from '../shared/tracing.ts';
import { loadApiConfig } from './config.ts';

const config = loadApiConfig(process.env);
const logger = createLogger({ service: 'api', level: config.LOG_LEVEL });
const timeoutMs = config.SHUTDOWN_TIMEOUT_MS;
const shutdown = createGracefulShutdown({ logger, timeoutMs, handleSignals: true, exitWithParent: true });
// Registered first, so it stops last: the spans of the shutdown itself are flushed too.
const tracing = await startTracing({ service: 'api' });
shutdown.add({ name: 'tracing', run: () => tracing.shutdown() });
// Imported once tracing is up: its instrumentations patch what the service imports.
const { createApiService } = await import('./service.ts');
const service = await createApiService(config, logger);
shutdown.add({ name: 'api', run: () => service.close() });
await service.listen(config.PORT);
