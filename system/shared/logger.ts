import pino, { type Logger, type DestinationStream } from 'pino';
import { currentContext } from './correlation.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where JSON lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/**
 * Structured JSON logger. Every line carries `service`, and the correlation id of the current
 * request or message (from AsyncLocalStorage) without callers passing it around.
 */
export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const context = currentContext();
        return context
          ? {
              correlationId: context.correlationId,
              ...(context.causationId ? { causationId: context.causationId } : {}),
            }
          : {};
      },
    },
    destination,
  );
}
