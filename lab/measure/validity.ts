/**
 * When a scenario run says more about the lab than about the system. Send times are taken in the
 * lab's own process and receipt times in the listener processes; a loop that lags delays the one
 * or the other by about its lag, so past these bounds the latencies are partly the generator's.
 */
export const generatorBounds = {
  /** The lab process (HTTP writers, waves) event-loop lag p99, ms. */
  lagP99Ms: 200,
  /** Any listener process's event-loop lag p99, ms: a receipt is stamped about this late. */
  listenerLagP99Ms: 100,
} as const;

/** Why the listener processes make a run invalid, or undefined when they do not. */
export function listenerLagReason(lagP99Ms: number): string | undefined {
  return lagP99Ms > generatorBounds.listenerLagP99Ms
    ? `listener processes' event-loop lag p99 ${lagP99Ms.toFixed(0)} ms > ${generatorBounds.listenerLagP99Ms} ms (receipts were stamped late)`
    : undefined;
}
