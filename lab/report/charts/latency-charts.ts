import type { TopLevelSpec } from 'vega-lite';
import type { LabResult } from '../result-schema.ts';
import { seriesChart, type SeriesRow } from './series-chart.ts';

/** Latency points are per-second buckets: a missing second had no samples. */
const LATENCY_GAP_SEC = 1.5;
/** The services' own gauges are sampled about once a second. */
const SAMPLE_GAP_SEC = 2.5;
const NOTIFICATION_PREFIX = 'notifications';

const isNotification = (series: string): boolean =>
  series === NOTIFICATION_PREFIX || series.startsWith(`${NOTIFICATION_PREFIX}.`);

/** p50 and p99 rows per latency series that `keep` selects, named by `name(series)`. */
function percentileRows(
  result: LabResult,
  keep: (series: string) => boolean,
  name: (series: string) => string,
): SeriesRow[] {
  return (result.timeline.latency ?? []).flatMap((p) => {
    const series = p.series ?? 'http';
    if (!keep(series)) return [];
    return [
      { tSec: p.tSec, line: `${name(series)} p50`, value: p.p50Ms },
      { tSec: p.tSec, line: `${name(series)} p99`, value: p.p99Ms },
    ];
  });
}

/** Request latency per second (p50 and p99 of the requests sent in that second). */
export function latencyChart(result: LabResult): TopLevelSpec | undefined {
  const rows = percentileRows(
    result,
    (s) => !isNotification(s),
    (s) => s,
  );
  if (rows.length === 0) return undefined;
  return seriesChart(result, {
    title: 'Request latency per second (ms), faults shaded',
    yTitle: 'latency (ms)',
    rows,
    maxGapSec: LATENCY_GAP_SEC,
  });
}

/**
 * Notification latency over time per listener transport (receipt − intended send of the causing
 * write). Results without per-transport points fall back to the notifications service's own
 * pipeline p99, which starts at the service and so misses the API, outbox and worker legs.
 */
export function notificationLatencyChart(result: LabResult): TopLevelSpec | undefined {
  const rows = percentileRows(result, isNotification, (s) =>
    s === NOTIFICATION_PREFIX ? 'all' : s.slice(NOTIFICATION_PREFIX.length + 1),
  );
  if (rows.length > 0) {
    return seriesChart(result, {
      title: 'Notification latency per transport (ms), faults shaded',
      subtitle: 'receipt at the listener − intended send of the write, per second of send',
      yTitle: 'latency (ms)',
      rows,
      maxGapSec: LATENCY_GAP_SEC,
      lineOrder: ['sse p50', 'sse p99', 'socketio p50', 'socketio p99'],
      dashLines: true,
    });
  }
  const pipeline = result.timeline.series?.['notifications.pipeline.p99Sec'] ?? [];
  if (pipeline.length === 0) return undefined;
  return seriesChart(result, {
    title: 'Notification pipeline p99 inside the notifications service (ms), faults shaded',
    subtitle: 'per-transport latency at the listeners was not recorded in this result',
    yTitle: 'p99 (ms)',
    rows: pipeline.map((p) => ({ tSec: p.tSec, line: 'service pipeline p99', value: p.value * 1000 })),
    maxGapSec: SAMPLE_GAP_SEC,
  });
}
