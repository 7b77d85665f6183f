/**
 * Wall-clock time in microseconds since the Unix epoch, with sub-millisecond resolution.
 *
 * Built from `performance.timeOrigin + performance.now()` so values taken in different worker
 * threads or child processes on the same machine are comparable (each has its own `timeOrigin`,
 * but the sum is epoch-based). Safe as a JS number until the year 2255.
 */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** Wall-clock time in milliseconds since the Unix epoch (fractional). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The clock port used by the measurement code; tests pass a fake. */
export interface Clock {
  /** Microseconds since the Unix epoch. */
  nowUs(): number;
}

export const systemClock: Clock = { nowUs };
