// Composition root: config → logger → service → shutdown → listen. The shutdown is registered before
// listening, so a signal during start-up still closes what was built.
import { createLogger } from '../shared/logger.ts';
import { createGracefulShutdown } from '../shared/shutdown.ts';
import { startTracing } from '../shared/tracing.ts';
import { loadWorkerConfig } from './config.ts';

const config = loadWorkerConfig(process.env);
const logger = createLogger({ service: 'worker', level: config.LOG_LEVEL });
// The worker's own drain budget, plus time to close the adapters after it.
const timeoutMs = config.WORKER_SHUTDOWN_TIMEOUT_MS + 2_000;
const shutdown = createGracefulShutdown({ logger, timeoutMs, handleSignals: true, exitWithParent: true });
// Registered first, so it stops last: the spans of the shutdown itself are flushed too.
const tracing = await startTracing({ service: 'worker' });
shutdown.add({ name: 'tracing', run: () => tracing.shutdown() });
// Imported once tracing is up: its instrumentations patch what the service imports.
const { createWorkerService } = await import('./service.ts');
const service = await createWorkerService(config, logger);
shutdown.add({ name: 'worker', run: () => service.close() });
await service.listen(config.PORT);
