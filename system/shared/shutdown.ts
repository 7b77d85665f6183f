import type { Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export interface GracefulShutdown {
  /** Steps run in reverse order of registration (last started, first stopped). */
  add(step: ShutdownStep): void;
  /** Runs every step once, even when one fails or hangs; resolves when all are done or timed out. */
  shutdown(reason: string): Promise<void>;
}

export interface GracefulShutdownOptions {
  logger: Logger;
  /** Whole-shutdown budget in milliseconds; after it the process exits anyway. */
  timeoutMs: number;
  /** Register SIGTERM/SIGINT handlers that shut down and exit (off in tests). */
  handleSignals?: boolean;
  /**
   * When the process was spawned with an IPC channel (the lab and `npm run system` do that), shut
   * down when the channel closes: a parent that dies, even by SIGKILL, leaves no orphan behind.
   */
  exitWithParent?: boolean;
  exit?: (code: number) => void;
}

export function createGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const steps: ShutdownStep[] = [];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let running: Promise<void> | undefined;

  const runSteps = async (reason: string) => {
    options.logger.info({ reason, steps: steps.length }, 'shutting down');
    let failed = false;
    for (const step of [...steps].reverse()) {
      try {
        await step.run();
      } catch (error) {
        failed = true;
        options.logger.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
    options.logger.info({ failed }, 'shutdown complete');
  };

  const shutdown = (reason: string) => {
    running ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          options.logger.warn({ timeoutMs: options.timeoutMs }, 'shutdown timed out; exiting anyway');
          resolve();
        }, options.timeoutMs);
        timer.unref();
      });
      await Promise.race([runSteps(reason), budget]);
      clearTimeout(timer);
    })();
    return running;
  };

  if (options.handleSignals) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void shutdown(signal).then(() => exit(0));
      });
    }
  }

  if (options.exitWithParent && process.connected) {
    process.once('disconnect', () => {
      // Nobody reads our stdout any more: a normal exit would hang in pino's exit-time flush,
      // which retries EAGAIN on the dead pipe forever. Clean up, then end without flushing.
      void shutdown('parent exited').then(() => process.kill(process.pid, 'SIGKILL'));
    });
  }

  return { add: (step) => void steps.push(step), shutdown };
}
