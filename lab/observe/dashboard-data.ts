import type { PanelQuery } from './dashboard-queries.ts';
import { queryPrometheusRange } from './prometheus-query.ts';

export interface QueryOutcome {
  query: PanelQuery;
  /** Series returned with at least one sample in the window. */
  series: number;
  error?: string;
}

/**
 * Evaluates each query over [start, end] (unix seconds) as Grafana would draw it and counts the
 * series that have samples. A query that errors or returns no series is a panel without data.
 */
export async function evaluateQueries(
  prometheusUrl: string,
  queries: PanelQuery[],
  { start, end, stepSec = 2 }: { start: number; end: number; stepSec?: number },
): Promise<QueryOutcome[]> {
  const outcomes: QueryOutcome[] = [];
  for (const query of queries) {
    try {
      const { result } = await queryPrometheusRange(prometheusUrl, query.expr, { start, end, stepSec });
      outcomes.push({
        query,
        series: result.filter((s) => (s.values ?? (s.value ? [s.value] : [])).length > 0).length,
      });
    } catch (error) {
      outcomes.push({ query, series: 0, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcomes;
}

/** One line per query without data: `file panel id "title" refId: expr (error)`. */
export function describeEmpty(outcomes: QueryOutcome[]): string[] {
  return outcomes
    .filter((o) => o.series === 0)
    .map(
      ({ query: q, error }) =>
        `${q.file} ${q.source} ${q.id} "${q.title}" ${q.refId}: ${q.expr}${error ? ` (${error})` : ''}`,
    );
}
