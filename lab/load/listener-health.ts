import type { GeneratorSample } from '../metrics/event-loop-monitor.ts';

/** One listener process's health over a window, from its per-interval samples. */
export interface ListenerProcessHealth {
  /** Worst per-interval event-loop lag p99 in the window, ms (an upper bound of the window's p99). */
  lagP99Ms: number;
  /** Largest event-loop lag in the window, ms. */
  lagMaxMs: number;
  /** CPU time (user + system) used over the window's samples, ms. */
  cpuMs: number;
  /** Mean CPU over the window's samples, percent of ONE core. */
  cpuPercent: number;
  samples: number;
}

/**
 * Health over the samples whose interval (ending at `atMs`, `intervalMs` long) overlaps
 * [`fromMs`, `toMs`]: a sample straddling an edge counts, so a stall at the edge is not missed.
 */
export function healthOver(
  samples: readonly GeneratorSample[],
  window: { fromMs: number; toMs: number; intervalMs: number },
): ListenerProcessHealth {
  const inside = samples.filter((s) => s.atMs > window.fromMs && s.atMs - window.intervalMs < window.toMs);
  return {
    lagP99Ms: Math.max(0, ...inside.map((s) => s.lagP99Ms)),
    lagMaxMs: Math.max(0, ...inside.map((s) => s.lagMaxMs)),
    cpuMs: inside.reduce((sum, s) => sum + s.cpuMs, 0),
    cpuPercent: inside.length ? inside.reduce((sum, s) => sum + s.cpuPercent, 0) / inside.length : 0,
    samples: inside.length,
  };
}
