import { readCount } from './attributes.ts';
import { createReleaseQueue } from './release-queue.ts';
import type { ToxicDefinition } from './toxic.ts';

export interface LatencyAttributes {
  /** Delay added to every chunk, in milliseconds. */
  latency: number;
  /** The delay varies uniformly by ± this many milliseconds per chunk. */
  jitter: number;
}

/** Delays each chunk by latency ± jitter from the moment it arrived, keeping order. */
export const latencyToxic: ToxicDefinition<LatencyAttributes> = {
  type: 'latency',
  parseAttributes: (input) => ({
    latency: readCount(input, 'latency', 0),
    jitter: readCount(input, 'jitter', 0),
  }),
  createState: () => undefined,
  createStage({ latency, jitter }, { out, random, now }) {
    const queue = createReleaseQueue(out, now);
    // Same distribution as Toxiproxy's rand.Int63n(2*jitter) - jitter: integers in [-jitter, jitter).
    const delayMs = (): number =>
      jitter > 0 ? latency + Math.floor(random() * 2 * jitter) - jitter : latency;
    return {
      write: (chunk) => queue.push(chunk, now() + delayMs()),
      end: () => queue.end(now()),
      stop: (flush) => queue.stop(flush),
    };
  },
};
