/** Node refuses longer delays (it fires after 1 ms instead), so longer waits are taken in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fire` once `now()` has reached `dueAt` (ms, the toxics' monotonic clock), always from a
 * timer, never synchronously. A Node timer may fire up to about 1 ms early by that clock (libuv
 * measures from its cached loop time), so an early wake-up re-arms for the remainder instead of
 * firing: a toxic never releases early. Returns a function that cancels the wait.
 */
export function setTimeoutAt(dueAt: number, now: () => number, fire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    timer = setTimeout(check, Math.min(Math.max(dueAt - now(), 0), MAX_TIMER_MS));
  };
  const check = (): void => {
    if (now() < dueAt) {
      arm();
      return;
    }
    timer = undefined;
    fire();
  };
  arm();
  return () => clearTimeout(timer);
}
