import type { Logger } from './logger.ts';

/** The shape of every service: what main.ts, the test harnesses and the benches use. */
export interface Service {
  /**
   * Starts the background work (consumers, relays, sweepers) and binds the HTTP port; resolves
   * with the bound port. Without `port`, the configured one; 0 picks a free one.
   */
  listen(port?: number): Promise<number>;
  /** Stops everything and closes every adapter. Idempotent; every step runs even if one fails. */
  close(): Promise<void>;
}

export interface CloseStep {
  name: string;
  run: () => unknown;
}

/**
 * An idempotent close over `steps`, run in order: a failing step is logged and the next one runs
 * anyway, so one broken adapter never keeps the others open. Every call returns the same promise.
 */
export function closeInOrder(
  steps: readonly CloseStep[],
  logger: Pick<Logger, 'error'>,
): () => Promise<void> {
  let closing: Promise<void> | undefined;
  const runAll = async () => {
    for (const step of steps) {
      try {
        await step.run();
      } catch (error) {
        logger.error({ err: error, step: step.name }, 'close step failed');
      }
    }
  };
  return () => (closing ??= runAll());
}
