import { readDuration } from './attributes.ts';
import { createReleaseQueue } from './release-queue.ts';
import type { ToxicDefinition } from './toxic.ts';

export interface LatencyAttributes {
  /** Delay added to every chunk, in milliseconds; a negative one acts as 0, as in Toxiproxy. */
  latency: number;
  /** The delay varies uniformly by ± this many milliseconds per chunk; 0 or less = no jitter. */
  jitter: number;
}

/** Delays each chunk by latency ± jitter from the moment it arrived, keeping order. */
export const latencyToxic: ToxicDefinition<LatencyAttributes> = {
  type: 'latency',
  parseAttributes: (input) => ({
    latency: readDuration(input, 'latency'),
    jitter: readDuration(input, 'jitter'),
  }),
  createState: () => undefined,
  createStage({ latency, jitter }, { out, random, now, held }) {
    const queue = createReleaseQueue(out, now, held);
    // Same distribution as Toxiproxy's rand.Int63n(2*jitter) - jitter: integers in [-jitter, jitter).
    const delayMs = (): number =>
      jitter > 0 ? latency + Math.floor(random() * 2 * jitter) - jitter : latency;
    return {
      write: (chunk) => queue.push(chunk, now() + Math.max(0, delayMs())),
      end: () => queue.end(now()),
      stop: (flush) => queue.stop(flush),
    };
  },
};
