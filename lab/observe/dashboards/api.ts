import {
  breakerTransitionLogs,
  labDashboard,
  labFaults,
  labPhases,
  type LabDashboard,
} from './lab-dashboard.ts';
import { promTimeseries, row, width } from './panels.ts';
import { breakerPanels, costOfWorkPanels, httpPanels, outboxPanels, processPanels } from './service-rows.ts';

const cacheLookups = (filter = '') => `cache_requests_total{service="api"${filter}}`;

export function apiDashboard(): LabDashboard {
  return labDashboard({
    uid: 'event-lab-api',
    title: 'Event lab: API',
    description: 'Business API: HTTP, de-duplication, two-level cache, database, outbox and breakers.',
    tags: ['event-lab', 'api'],
    annotations: [labPhases(), labFaults(), breakerTransitionLogs('api')],
    rows: [
      row('HTTP', ...httpPanels('api')),
      row(
        'De-duplication and cache',
        promTimeseries({
          title: 'Dedupe outcomes by route',
          width: width.half,
          unit: 'reqps',
          style: 'stacked',
          queries: [
            {
              expr: 'sum by (route, outcome) (rate(dedupe_requests_total{service="api"}[$__rate_interval]))',
              legend: '{{route}} {{outcome}}',
            },
          ],
        }),
        promTimeseries({
          title: 'Cache lookups',
          description: 'L1 (memory) and L2 (Redis) hits, misses and errors.',
          width: width.half,
          unit: 'ops',
          queries: [
            {
              expr: `sum by (cache, level, result) (rate(${cacheLookups()}[$__rate_interval]))`,
              legend: '{{cache}} {{level}} {{result}}',
            },
          ],
        }),
        promTimeseries({
          title: 'Database queries',
          description: 'Every store call that reaches the database.',
          width: width.half,
          unit: 'ops',
          queries: [
            {
              expr: 'sum by (operation) (rate(db_queries_total{service="api"}[$__rate_interval]))',
              legend: '{{operation}}',
            },
          ],
        }),
        promTimeseries({
          title: 'Cache hit ratio by level',
          description: 'Hits / lookups per level (l1 memory, l2 Redis).',
          width: width.half,
          unit: 'percentunit',
          min: 0,
          queries: [
            {
              // 0, not no series, for a level that is looked up but never hits
              expr: `(sum by (level) (rate(${cacheLookups(', result="hit"')}[$__rate_interval])) or on(level) sum by (level) (rate(${cacheLookups()}[$__rate_interval])) * 0) / sum by (level) (rate(${cacheLookups()}[$__rate_interval]))`,
              legend: '{{level}}',
            },
          ],
        }),
      ),
      row('Publishing: outbox and RabbitMQ', ...outboxPanels('api')),
      row('Dependencies: circuit breakers', ...breakerPanels('api')),
      row('Process', ...processPanels('api')),
      row('Cost of work: what leaves the process', ...costOfWorkPanels('api')),
    ],
  });
}
