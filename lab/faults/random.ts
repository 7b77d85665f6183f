/**
 * mulberry32: a tiny seedable PRNG, uniform in [0, 1). Good enough for toxicity rolls, jitter and
 * slice sizes, and reproducible so a test or a scenario run can be replayed exactly.
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
