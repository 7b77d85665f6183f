import { MAX_TIMER_MS } from './due-timer.ts';
import { ToxicAttributeError } from './toxic.ts';

/**
 * Reads a whole-number attribute. Toxiproxy decodes attributes into int64 fields, so a missing
 * attribute is 0 and a string or fraction is a 400. Negative values are accepted as Toxiproxy
 * accepts them; each toxic treats a negative duration as 0, as Go's timers do. Beyond 2^53 a
 * JavaScript number is no longer exact, so larger values are refused.
 */
export function readInteger(input: Record<string, unknown>, key: string, fallback = 0): number {
  const value = input[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ToxicAttributeError(`attribute ${key} must be an integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * A duration in `unitsPerMs` per millisecond (1 for ms, 1000 for µs). Toxiproxy accepts any int64
 * here, but a Node timer longer than 2^31-1 ms fires after 1 ms, so such a delay is refused rather
 * than turned into a busy loop.
 */
export function readDuration(input: Record<string, unknown>, key: string, unitsPerMs = 1): number {
  const value = readInteger(input, key);
  if (value / unitsPerMs > MAX_TIMER_MS) {
    throw new ToxicAttributeError(
      `attribute ${key} must be at most ${MAX_TIMER_MS * unitsPerMs} (2^31-1 ms), got ${value}`,
    );
  }
  return value;
}

/** A size or rate where Toxiproxy itself would crash on a negative value (slice bounds out of range). */
export function readNonNegative(input: Record<string, unknown>, key: string): number {
  const value = readInteger(input, key);
  if (value < 0) throw new ToxicAttributeError(`attribute ${key} must not be negative, got ${value}`);
  return value;
}
