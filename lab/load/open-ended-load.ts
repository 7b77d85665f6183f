import { setTimeout as sleep } from 'node:timers/promises';
import { runHttpAtFixedRate, type FixedRateHttpOptions } from './fixed-rate-http.ts';

export interface OpenEndedLoadOptions extends Omit<FixedRateHttpOptions, 'durationMs' | 'signal'> {
  /** The load stops scheduling when this aborts; requests in flight still settle. */
  signal: AbortSignal;
  /** Length of each fixed-rate slice, ms (default 1,000). */
  sliceMs?: number;
}

export interface OpenEndedLoadResult {
  scheduled: number;
  completed: number;
  errors: number;
  maxInFlightHits: number;
}

/**
 * Fixed-rate HTTP load that runs until `signal` aborts, for background load whose end is not known
 * in advance (e.g. "while the bursts run"). Slices of `sliceMs` are started back to back on a timer,
 * each an open-model {@link runHttpAtFixedRate} schedule; a slice never waits for the previous one's
 * responses, so a slow server still shows up as latency, not as fewer requests. Sequence numbers
 * continue across slices.
 */
export async function runUntilAborted(options: OpenEndedLoadOptions): Promise<OpenEndedLoadResult> {
  const sliceMs = options.sliceMs ?? 1000;
  const perSlice = Math.max(1, Math.round((options.ratePerSec * sliceMs) / 1000));
  const slices: ReturnType<typeof runHttpAtFixedRate>[] = [];
  const startMs = Date.now();
  for (let i = 0; !options.signal.aborted; i++) {
    const offset = i * perSlice;
    slices.push(
      runHttpAtFixedRate({
        ...options,
        durationMs: sliceMs,
        signal: options.signal,
        request: (seq, intendedAtUs) => options.request(offset + seq, intendedAtUs),
        ...(options.onResponse
          ? { onResponse: (event) => options.onResponse?.({ ...event, seq: offset + event.seq }) }
          : {}),
      }),
    );
    const nextMs = startMs + (i + 1) * sliceMs - Date.now();
    await sleep(Math.max(0, nextMs), undefined, { signal: options.signal }).catch(() => undefined);
  }
  const results = await Promise.all(slices);
  // A slice may have been cut short by the abort: its sends after the abort were skipped.
  return results.reduce(
    (sum, r) => ({
      scheduled: sum.scheduled + r.scheduled,
      completed: sum.completed + r.completed,
      errors: sum.errors + r.errors,
      maxInFlightHits: sum.maxInFlightHits + r.maxInFlightHits,
    }),
    { scheduled: 0, completed: 0, errors: 0, maxInFlightHits: 0 },
  );
}
