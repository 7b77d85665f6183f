/**
 * Wall-clock time in microseconds since the Unix epoch, with sub-millisecond resolution: the one
 * clock of the services' journey marks and the lab's send and receipt times, so they subtract.
 *
 * Built from `performance.timeOrigin + performance.now()` so values taken in different worker
 * threads or child processes on the same machine are comparable (each has its own `timeOrigin`,
 * but the sum is epoch-based). `at` is a `performance.now()` reading already taken, for a caller
 * that also times the same moment for itself. Safe as a JS number until the year 2255.
 */
export function epochUs(at: number = performance.now()): number {
  return Math.round((performance.timeOrigin + at) * 1000);
}
