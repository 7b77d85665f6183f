import type { LabResult } from './result-schema.ts';

/** A realistic run result for report tests; override any field. */
export function sampleResult(overrides: Partial<LabResult> = {}): LabResult {
  const seconds = Array.from({ length: 30 }, (_, i) => i);
  const faulty = (t: number): boolean => t >= 10 && t < 20;
  return {
    scenario: 'redis-outage',
    startedAt: '2025-03-01T10:00:00.000Z',
    finishedAt: '2025-03-01T10:00:30.500Z',
    target: 'local',
    passed: false,
    valid: true,
    options: { ratePerSec: 200, durationSec: 30 },
    machine: { cpus: 2, cpuModel: 'Test CPU @ 3.0GHz', memGiB: 7.8, node: 'v20.20.2', os: 'linux 6.8.0 x64' },
    gates: [
      {
        name: 'p99 under 250 ms while Redis is down',
        metric: 'http.latency.p99Ms',
        op: '<',
        threshold: 250,
        phase: 'redis-down',
        value: 480.5,
        passed: false,
        reason: 'phase.redis-down.http.latency.p99Ms = 480.5, expected < 250',
      },
      { name: 'no lost events', metric: 'events.lost', op: '==', threshold: 0, value: 0, passed: true },
    ],
    metrics: {
      'http.latency.p99Ms': 310.25,
      'phase.redis-down.http.latency.p99Ms': 480.5,
      'events.lost': 0,
      'dedupe.hitRate': 0.734,
      'breaker.timeToOpenMs': 1520,
    },
    phases: [
      { name: 'steady', startMs: 0, endMs: 10_000 },
      { name: 'redis-down', startMs: 10_000, endMs: 20_000, fault: 'redis: timeout 0' },
      { name: 'recovery', startMs: 20_000, endMs: 30_000 },
    ],
    timeline: {
      latency: seconds.map((t) => ({ tSec: t, p50Ms: faulty(t) ? 120 : 4, p99Ms: faulty(t) ? 480 : 15 })),
      breaker: seconds.map((t) => ({
        tSec: t,
        breaker: 'api.redis',
        state:
          t < 11
            ? ('closed' as const)
            : t < 20
              ? ('open' as const)
              : t < 21
                ? ('half-open' as const)
                : ('closed' as const),
      })),
      hitRate: seconds.map((t) => ({ tSec: t, hitRate: faulty(t) ? 0 : 0.8 })),
    },
    notes: ['Redis was cut with a timeout toxic.'],
    ...overrides,
  };
}
