import { epochUs } from '../../contracts/clock.ts';

/** Wall-clock time in microseconds since the Unix epoch (contracts/clock.ts: the services' clock too). */
export function nowUs(): number {
  return epochUs();
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
