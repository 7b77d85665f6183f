import { generatorBounds } from '../measure/validity.ts';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** One per-interval sample of the load generator's own health. */
export interface GeneratorSample {
  /** Sample time, epoch milliseconds. */
  atMs: number;
  /** Event-loop delay p99 over the interval, milliseconds. */
  lagP99Ms: number;
  /** Largest event-loop delay over the interval, milliseconds. */
  lagMaxMs: number;
  /** CPU time (user + system) over the interval as a percentage of ONE core (may exceed 100). */
  cpuPercent: number;
  /** CPU time (user + system) used during the interval, milliseconds. */
  cpuMs: number;
}

export interface GeneratorThresholds {
  /** Lag p99 above which the generator is the bottleneck, milliseconds. Default 200. */
  lagP99Ms?: number;
  /** CPU percent of one core counted as saturated. Default 90. */
  cpuPercent?: number;
  /** Fraction (0..1) of samples that must be CPU-saturated to call it a bottleneck. Default 0.5. */
  saturatedFraction?: number;
}

export interface GeneratorHealth {
  /** Event-loop lag p99 over the whole run, milliseconds. */
  lagP99Ms: number;
  /** Mean CPU over all samples, percent of one core. */
  cpuPercent: number;
  /** True when the generator, not the system under test, probably limited the results. */
  bottleneck: boolean;
  reason?: string;
}

/**
 * Judges samples against thresholds. `overallLagP99Ms` is the whole-run p99 when known
 * (more accurate than the max of per-interval p99s, which is used otherwise).
 */
export function judgeGeneratorHealth(
  samples: readonly GeneratorSample[],
  thresholds: GeneratorThresholds = {},
  overallLagP99Ms?: number,
): GeneratorHealth {
  const lagLimit = thresholds.lagP99Ms ?? generatorBounds.lagP99Ms;
  const cpuLimit = thresholds.cpuPercent ?? 90;
  const fractionLimit = thresholds.saturatedFraction ?? 0.5;
  const lagP99Ms = overallLagP99Ms ?? Math.max(0, ...samples.map((s) => s.lagP99Ms));
  const cpuPercent = samples.length ? samples.reduce((sum, s) => sum + s.cpuPercent, 0) / samples.length : 0;
  const saturated = samples.filter((s) => s.cpuPercent > cpuLimit).length;
  const reasons: string[] = [];
  if (lagP99Ms > lagLimit) {
    reasons.push(`generator event-loop lag p99 ${lagP99Ms.toFixed(1)} ms > ${lagLimit} ms`);
  }
  if (samples.length > 0 && saturated / samples.length > fractionLimit) {
    reasons.push(
      `generator CPU > ${cpuLimit}% of one core in ${saturated}/${samples.length} samples ` +
        `(> ${Math.round(fractionLimit * 100)}%)`,
    );
  }
  const health: GeneratorHealth = { lagP99Ms, cpuPercent, bottleneck: reasons.length > 0 };
  if (reasons.length) health.reason = reasons.join('; ');
  return health;
}

export interface EventLoopMonitorOptions extends GeneratorThresholds {
  /** Sampling interval, milliseconds. Default 1000. */
  intervalMs?: number;
  /** Event-loop delay sampling resolution, milliseconds. Default 10. */
  resolutionMs?: number;
}

/** Samples this process's event-loop lag and CPU usage while a run is in progress. */
export interface EventLoopMonitor {
  start(): void;
  /** Stops sampling and takes a final partial sample. Idempotent. */
  stop(): void;
  samples(): GeneratorSample[];
  /** Verdict over the samples so far; `thresholds` override the ones given at creation. */
  generatorHealth(thresholds?: GeneratorThresholds): GeneratorHealth;
}

const nsToMs = (ns: number): number => ns / 1e6;

export function createEventLoopMonitor(options: EventLoopMonitorOptions = {}): EventLoopMonitor {
  const intervalMs = options.intervalMs ?? 1000;
  const resolution = options.resolutionMs ?? 10;
  const samples: GeneratorSample[] = [];
  let perInterval: IntervalHistogram | undefined;
  let overall: IntervalHistogram | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();

  const takeSample = (): void => {
    if (!perInterval) return;
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const elapsedUs = (now - lastAt) * 1000;
    const hasData = perInterval.count > 0;
    samples.push({
      atMs: performance.timeOrigin + now,
      lagP99Ms: hasData ? nsToMs(perInterval.percentile(99)) : 0,
      lagMaxMs: hasData ? nsToMs(perInterval.max) : 0,
      cpuPercent: elapsedUs > 0 ? ((cpu.user + cpu.system) / elapsedUs) * 100 : 0,
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
    perInterval.reset();
    lastCpu = process.cpuUsage();
    lastAt = now;
  };

  return {
    start() {
      if (timer) return;
      perInterval = monitorEventLoopDelay({ resolution });
      overall = monitorEventLoopDelay({ resolution });
      perInterval.enable();
      overall.enable();
      lastCpu = process.cpuUsage();
      lastAt = performance.now();
      timer = setInterval(takeSample, intervalMs);
      timer.unref();
    },
    stop() {
      if (!timer) return;
      clearInterval(timer);
      timer = undefined;
      takeSample();
      perInterval?.disable();
      overall?.disable();
    },
    samples() {
      return [...samples];
    },
    generatorHealth(thresholds) {
      const lag = overall && overall.count > 0 ? nsToMs(overall.percentile(99)) : undefined;
      return judgeGeneratorHealth(samples, { ...options, ...thresholds }, lag);
    },
  };
}
