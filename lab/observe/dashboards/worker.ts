import {
  breakerTransitionLogs,
  labDashboard,
  labFaults,
  labPhases,
  type LabDashboard,
} from './lab-dashboard.ts';
import { percentiles, promStat, promTimeseries, row, stateTimeline, width } from './panels.ts';
import { breakerPanels, costOfWorkPanels, outboxPanels, processPanels } from './service-rows.ts';

// `or … * 0` gives 0 rather than no series while the worker runs but nothing was counted yet.
const connected = 'max(worker_consumer_connected{service="worker"})';

export function workerDashboard(): LabDashboard {
  return labDashboard({
    uid: 'event-lab-worker',
    title: 'Event lab: worker',
    description:
      'Worker: message results, processing time, consumer connection, dead letters, notification publishing and breakers.',
    tags: ['event-lab', 'worker'],
    annotations: [labPhases(), labFaults(), breakerTransitionLogs('worker')],
    rows: [
      row(
        'Messages',
        promTimeseries({
          title: 'Messages by type and result',
          description: 'ok, retried, dead_lettered, duplicate (already processed messageId).',
          width: width.half,
          unit: 'ops',
          style: 'stacked',
          queries: [
            {
              expr: 'sum by (type, result) (rate(worker_messages_total{service="worker"}[$__rate_interval]))',
              legend: '{{type}} {{result}}',
            },
          ],
        }),
        promTimeseries({
          title: 'Processing duration',
          width: width.half,
          unit: 's',
          queries: Object.entries(percentiles).map(([p, q]) => ({
            expr: `histogram_quantile(${q}, sum by (le, type) (rate(worker_processing_duration_seconds_bucket{service="worker"}[$__rate_interval])))`,
            legend: `${p} {{type}}`,
          })),
        }),
        stateTimeline({
          title: 'Consumer connected',
          description: '1 while the consumer holds a channel on worker.students.',
          width: width.third,
          query: { expr: connected, legend: 'consumer' },
          states: [
            { value: 0, text: 'disconnected', color: 'red' },
            { value: 1, text: 'connected', color: 'green' },
          ],
        }),
        promStat({
          title: 'Dead-lettered',
          description: 'Messages sent to worker.students.dlq since start.',
          width: width.third,
          unit: 'short',
          redFrom: 1,
          query: {
            expr: `sum(worker_messages_total{service="worker", result="dead_lettered"}) or ${connected} * 0`,
            legend: 'DLQ',
          },
        }),
        promTimeseries({
          title: 'Cache step skipped',
          description: 'Re-cache skipped because Redis was unavailable; 0 when none.',
          width: width.third,
          unit: 'short',
          style: 'bars',
          queries: [
            {
              expr: `sum by (reason) (increase(worker_cache_skipped_total{service="worker"}[$__rate_interval])) or ${connected} * 0`,
              legend: '{{reason}}',
            },
          ],
        }),
      ),
      row('Publishing notifications', ...outboxPanels('worker')),
      row('Dependencies: circuit breakers', ...breakerPanels('worker')),
      row(
        'Process',
        ...processPanels('worker'),
        promTimeseries({
          title: 'Messages per shared transaction (group commit)',
          description:
            'How many messages shared one database transaction, by step (apply: claim + increment; complete: mark done + outbox). 1 at prefetch 1; grows with prefetch and load.',
          width: width.half,
          unit: 'none',
          queries: (['p50', 'p99'] as const).map((p) => ({
            expr: `histogram_quantile(${percentiles[p]}, sum by (le, step) (rate(worker_db_group_size_bucket{service="worker"}[$__rate_interval])))`,
            legend: `{{step}} ${p}`,
          })),
        }),
      ),
      row('Cost of work: what leaves the process', ...costOfWorkPanels('worker')),
    ],
  });
}
