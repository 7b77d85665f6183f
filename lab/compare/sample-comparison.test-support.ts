import type { ComparisonReport } from './compare-schema.ts';
import { compareMetric } from './compare-verdict.ts';

const baselineP99 = [100, 102, 98, 101, 99];

/** A realistic comparison for report tests: p99 regressed 30 %, SQL per write unchanged; override any field. */
export function sampleComparison(overrides: Partial<ComparisonReport> = {}): ComparisonReport {
  return {
    scenario: 'smoke',
    startedAt: '2025-03-01T10:00:00.000Z',
    finishedAt: '2025-03-01T10:20:00.000Z',
    verdict: 'regression',
    baseline: { ref: 'main', sha: '0123456789abcdef0123456789abcdef01234567', env: {} },
    candidate: { ref: 'working tree', env: { worker: { PREFETCH: '50' } } },
    rounds: 5,
    runs: [0, 1, 2, 3, 4].flatMap((round) => [
      { side: 'baseline' as const, round, valid: true },
      { side: 'candidate' as const, round, valid: true },
    ]),
    metrics: [
      compareMetric(
        { metric: 'http.latency.p99Ms', direction: 'lower', tolerance: 0.1 },
        baselineP99,
        baselineP99.map((v) => v * 1.3),
      ),
      compareMetric(
        { metric: 'api.sqlPerWrite', direction: 'lower', tolerance: 0, exact: true },
        [3, 3, 3, 3, 3],
        [3, 3, 3, 3, 3],
      ),
    ],
    ...overrides,
  };
}
