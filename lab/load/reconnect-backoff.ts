/** Randomised exponential reconnect delays, the way socket.io-client's Manager computes them. */
export interface BackoffOptions {
  /** First delay, ms. Default 1000 (socket.io-client's `reconnectionDelay`). */
  minMs?: number;
  /** Largest delay, ms. Default 5000 (socket.io-client's `reconnectionDelayMax`). */
  maxMs?: number;
  /** Share of the delay added or taken away at random, 0..1. Default 0.5 (`randomizationFactor`). */
  jitter?: number;
  /** Uniform in [0, 1); tests pass a fixed sequence. */
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt, ms; each call doubles the base up to `maxMs`. */
  next(): number;
  /** After a successful connection the next loss starts again from `minMs`. */
  reset(): void;
}

/**
 * socket.io-client's formula: `min · 2^attempt`, moved by up to `jitter` of itself, up or down
 * depending on the same random draw, then capped. Spreading the delays keeps a fleet that lost its
 * connections together from coming back in one burst.
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const { minMs = 1000, maxMs = 5000, jitter = 0.5, random = Math.random } = options;
  let attempts = 0;
  return {
    next() {
      let ms = minMs * 2 ** attempts++;
      const rand = random();
      const deviation = Math.floor(rand * jitter * ms);
      ms = (Math.floor(rand * 10) & 1) === 0 ? ms - deviation : ms + deviation;
      return Math.min(ms, maxMs) | 0;
    },
    reset() {
      attempts = 0;
    },
  };
}
