import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPromQueries, loadDashboards } from './dashboard-queries.ts';
import { queryPrometheus } from './prometheus-query.ts';
import { ensurePrometheus, startPrometheus, type RunningPrometheus } from './prometheus-runner.ts';

// Every Prometheus query of every dashboard (panels, annotations) must be PromQL that a real
// Prometheus accepts once Grafana's variables are substituted. Whether they return data during a
// scenario is checked by dashboards-have-data.int.test.ts.
let prometheus: RunningPrometheus;

beforeAll(async () => {
  ensurePrometheus();
  prometheus = await startPrometheus({ targets: [], port: 0 });
}, 300_000);

afterAll(() => prometheus?.stop());

describe('dashboard queries', () => {
  it('are all valid PromQL for a real Prometheus', async () => {
    const queries = extractPromQueries(loadDashboards(), { annotations: true });
    expect(queries.length).toBeGreaterThan(50);
    const rejected: string[] = [];
    for (const query of queries) {
      await queryPrometheus(prometheus.url, query.expr).catch((error: unknown) =>
        rejected.push(
          `${query.file} ${query.source} ${query.id} "${query.title}" ${query.refId}: ${String(error)}`,
        ),
      );
    }
    expect(rejected).toEqual([]);
  }, 60_000);

  it('would report a query Prometheus rejects', async () => {
    await expect(queryPrometheus(prometheus.url, 'sum by (le (rate(x[1m]))')).rejects.toThrow(/bad_data/);
  });
});
