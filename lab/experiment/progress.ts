export interface ProgressSnapshot {
  phase: string;
  elapsedSec: number;
  requests: number;
  errors: number;
  deduplicated: number;
  listenersConnected: number;
  listenersTotal: number;
  faults: string[];
}

export interface ProgressLine {
  start(): void;
  /** Prints a permanent line (log), keeping the live line below it on a TTY. */
  log(message: string): void;
  stop(): void;
}

/** `[smoke] phase=burst 12.0s 420 req/s errors=0 dedup=95% listeners=6/6 faults=rabbitmq-cut` */
export function formatProgress(scenario: string, s: ProgressSnapshot, reqPerSec: number): string {
  const dedup = s.requests ? `${Math.round((s.deduplicated / s.requests) * 100)}%` : '-';
  const faults = s.faults.length ? ` faults=${s.faults.join(',')}` : '';
  return (
    `[${scenario}] phase=${s.phase} ${s.elapsedSec.toFixed(1)}s ${Math.round(reqPerSec)} req/s ` +
    `errors=${s.errors} dedup=${dedup} listeners=${s.listenersConnected}/${s.listenersTotal}${faults}`
  );
}

/**
 * The live progress line on stderr: rewritten in place every second on a TTY, printed as a new
 * line every `plainIntervalMs` (default 3 s) otherwise (CI logs, tests).
 */
export function createProgressLine(options: {
  scenario: string;
  snapshot(): ProgressSnapshot;
  stream?: NodeJS.WriteStream;
  plainIntervalMs?: number;
}): ProgressLine {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  let timers: NodeJS.Timeout[] = [];
  let lastRequests = 0;
  let lastAt = Date.now();
  let liveShown = false;
  let lastPhase = '';

  const render = (): string => {
    const s = options.snapshot();
    const now = Date.now();
    const rate = ((s.requests - lastRequests) * 1000) / Math.max(1, now - lastAt);
    lastRequests = s.requests;
    lastAt = now;
    lastPhase = s.phase;
    return formatProgress(options.scenario, s, rate);
  };
  const tick = (): void => {
    if (tty) {
      stream.write(`\r\x1b[K${render()}`);
      liveShown = true;
    } else stream.write(`${render()}\n`);
  };
  return {
    start() {
      if (timers.length) return;
      timers.push(setInterval(tick, tty ? 1000 : (options.plainIntervalMs ?? 3000)));
      // Off a TTY, also print at once when the phase changes, so logs show every phase.
      if (!tty) timers.push(setInterval(() => options.snapshot().phase !== lastPhase && tick(), 250));
      for (const t of timers) t.unref();
    },
    log(message) {
      if (tty && liveShown) stream.write('\r\x1b[K');
      stream.write(`${message}\n`);
      if (tty && timers.length) tick();
    },
    stop() {
      if (!timers.length) return;
      for (const t of timers) clearInterval(t);
      timers = [];
      if (tty && liveShown) stream.write('\n');
    },
  };
}
