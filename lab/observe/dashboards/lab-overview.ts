import { breakerStateValue } from '../../../contracts/service-metrics.ts';
import {
  breakerTransitionLogs,
  faultInjectionLogs,
  labDashboard,
  labFaults,
  labPhases,
  scenarioVariable,
  type LabDashboard,
} from './lab-dashboard.ts';
import {
  lokiLogs,
  percentiles,
  promStat,
  promTimeseries,
  row,
  stateTimeline,
  width,
  type State,
} from './panels.ts';
import { breakerStates } from './service-rows.ts';

// The lab's own series carry the scenario label; the services' do not, so they show every run.
const scenario = 'scenario=~"$scenario"';

/** A 0/1 gauge per phase or fault: the band shows while it is on. */
const onOff: State[] = [
  { value: 0, text: 'off', color: 'transparent' },
  { value: 1, text: 'on', color: 'orange' },
];

export function labOverviewDashboard(): LabDashboard {
  return labDashboard({
    uid: 'event-lab-overview',
    title: 'Event lab: overview',
    description:
      'A scenario side by side with the system: phases and faults, dedupe hit rate, breakers, notification latency, listeners, outbox, worker results and dead letters.',
    tags: ['event-lab', 'lab'],
    variables: [scenarioVariable()],
    annotations: [
      labPhases(`{${scenario}}`),
      labFaults(`{${scenario}}`, 'Faults (metrics)'),
      breakerTransitionLogs('all services'),
      faultInjectionLogs(),
    ],
    rows: [
      row(
        'Lab run',
        stateTimeline({
          title: 'Phase',
          description: 'Which phase of the scenario runs (lab_phase_active).',
          width: width.half,
          query: { expr: `max by (phase) (lab_phase_active{${scenario}})`, legend: '{{phase}}' },
          states: onOff,
        }),
        stateTimeline({
          title: 'Faults active',
          description: 'Faults the lab injects through Toxiproxy (lab_fault_active).',
          width: width.half,
          query: { expr: `max by (fault) (lab_fault_active{${scenario}})`, legend: '{{fault}}' },
          states: onOff,
        }),
        promTimeseries({
          title: 'Lab requests by status',
          description: 'Responses the load generator received, by status and X-Deduplicated.',
          width: width.full,
          unit: 'reqps',
          style: 'stacked',
          queries: [
            {
              expr: `sum by (status, deduplicated) (rate(lab_requests_total{${scenario}}[$__rate_interval]))`,
              legend: '{{status}} dedup={{deduplicated}}',
            },
          ],
        }),
      ),
      row(
        'Request de-duplication',
        promTimeseries({
          title: 'Dedupe outcomes (API)',
          description:
            'executed = ran the handler; coalesced = joined an in-flight execution; cached = served from the response cache; bypass = not de-duplicated.',
          width: width.half,
          unit: 'reqps',
          style: 'stacked',
          queries: [
            {
              expr: 'sum by (outcome) (rate(dedupe_requests_total[$__rate_interval]))',
              legend: '{{outcome}}',
            },
          ],
        }),
        promTimeseries({
          title: 'Dedupe hit rate',
          description:
            'Share of de-duplicable requests that did not run the handler, seen by the API and by the lab.',
          width: width.half,
          unit: 'percentunit',
          min: 0,
          queries: [
            {
              expr: '(sum(rate(dedupe_requests_total{outcome=~"coalesced|cached"}[$__rate_interval])) or sum(rate(dedupe_requests_total[$__rate_interval])) * 0) / sum(rate(dedupe_requests_total{outcome=~"executed|coalesced|cached"}[$__rate_interval]))',
              legend: 'server (coalesced + cached) / all',
            },
            { expr: `max(lab_dedupe_hit_ratio{${scenario}})`, legend: 'lab (X-Deduplicated: true)' },
          ],
        }),
      ),
      row(
        'Circuit breakers',
        stateTimeline({
          title: 'Breaker state (all services)',
          description: '0 closed, 1 open, 2 half-open, 3 isolated.',
          width: width.full,
          query: {
            expr: 'max by (service, breaker) (circuit_breaker_state)',
            legend: '{{service}} {{breaker}}',
          },
          states: breakerStates,
          redFrom: breakerStateValue.open,
        }),
        promTimeseries({
          title: 'Breaker transitions',
          description: 'Transitions per interval, by target state; 0 for a breaker that has not moved.',
          width: width.half,
          unit: 'short',
          style: 'bars',
          queries: [
            {
              expr: 'sum by (service, breaker, to) (increase(circuit_breaker_transitions_total[$__rate_interval])) or on(service, breaker) max by (service, breaker) (circuit_breaker_state) * 0',
              legend: '{{service}} {{breaker}} → {{to}}',
            },
          ],
        }),
        lokiLogs({
          title: 'Breaker transitions and fault injections (Loki)',
          description:
            'Structured log events: breaker transitions from the services, fault injections from the lab.',
          width: width.half,
          expr: '{service=~"api|worker|notifications|lab"} | json | event="breaker_transition" or kind="fault"',
        }),
      ),
      row(
        'Notification latency',
        promTimeseries({
          title: 'End-to-end notification latency (lab)',
          description:
            'Request sent by the lab → notification received by a lab listener, matched by correlation id.',
          width: width.half,
          unit: 's',
          queries: Object.entries(percentiles).map(([p, q]) => ({
            expr: `histogram_quantile(${q}, sum by (le, transport) (rate(lab_latency_seconds_bucket{${scenario}, kind="notification"}[$__rate_interval])))`,
            legend: `${p} {{transport}}`,
          })),
        }),
        promTimeseries({
          title: 'Server-side pipeline latency',
          description:
            'Event occurredAt → written to the client socket (notifications_pipeline_latency_seconds). The dots on the p99 line are exemplars: one notification each, with its trace id; click one to open its trace in Tempo.',
          width: width.half,
          unit: 's',
          queries: Object.entries(percentiles).map(([p, q]) => ({
            expr: `histogram_quantile(${q}, sum by (le, transport) (rate(notifications_pipeline_latency_seconds_bucket{}[$__rate_interval])))`,
            legend: `${p} {{transport}}`,
            ...(p === 'p99' && { exemplar: true }),
          })),
        }),
        promTimeseries({
          title: 'HTTP latency seen by the lab',
          description: 'Client-side HTTP response time of the load generator.',
          width: width.half,
          unit: 's',
          queries: Object.entries(percentiles).map(([p, q]) => ({
            expr: `histogram_quantile(${q}, sum by (le) (rate(lab_latency_seconds_bucket{${scenario}, kind="http"}[$__rate_interval])))`,
            legend: p,
          })),
        }),
        promTimeseries({
          title: 'Listeners connected',
          description: 'Listeners the lab holds open vs clients the notifications service counts.',
          width: width.half,
          unit: 'short',
          queries: [
            {
              expr: `sum by (transport) (lab_listeners_connected{${scenario}})`,
              legend: 'lab {{transport}}',
            },
            { expr: 'sum by (transport) (notifications_connected_clients)', legend: 'server {{transport}}' },
          ],
        }),
        promTimeseries({
          title: 'Notification deliveries',
          description: 'Notifications written to clients per second.',
          width: width.half,
          unit: 'ops',
          queries: [
            {
              expr: 'sum by (transport) (rate(notifications_deliveries_total[$__rate_interval]))',
              legend: '{{transport}}',
            },
          ],
        }),
        promTimeseries({
          title: 'Dropped slow clients',
          description: 'Clients the notifications service cut off for being too slow; 0 when none.',
          width: width.half,
          unit: 'short',
          style: 'bars',
          queries: [
            {
              expr: 'sum by (transport, reason) (increase(notifications_dropped_clients_total[$__rate_interval])) or on(transport) sum by (transport) (notifications_connected_clients) * 0',
              legend: '{{transport}} {{reason}}',
            },
          ],
        }),
      ),
      row(
        'Pipeline: outbox, worker, dead letters',
        promTimeseries({
          title: 'Outbox depth',
          description: 'Rows committed but not yet confirmed by RabbitMQ, per producer.',
          width: width.third,
          unit: 'short',
          queries: [{ expr: 'sum by (producer) (outbox_pending_messages)', legend: '{{producer}} pending' }],
        }),
        promTimeseries({
          title: 'Outbox oldest message age',
          width: width.third,
          unit: 's',
          queries: [{ expr: 'max by (producer) (outbox_oldest_age_seconds)', legend: '{{producer}}' }],
        }),
        promTimeseries({
          title: 'Worker results',
          description: 'ok, retried, dead_lettered, duplicate.',
          width: width.third,
          unit: 'ops',
          style: 'stacked',
          queries: [
            { expr: 'sum by (result) (rate(worker_messages_total[$__rate_interval]))', legend: '{{result}}' },
          ],
        }),
        promStat({
          title: 'Dead-lettered (worker)',
          description: 'Messages the worker sent to worker.students.dlq since it started.',
          width: width.half,
          unit: 'short',
          redFrom: 1,
          query: {
            expr: 'sum(worker_messages_total{result="dead_lettered"}) or max(worker_consumer_connected) * 0',
            legend: 'worker DLQ',
          },
        }),
        promStat({
          title: 'Dead-lettered (notifications)',
          description: 'Notifications the notifications service dead-lettered since it started.',
          width: width.half,
          unit: 'short',
          redFrom: 1,
          query: {
            expr: 'sum(notifications_consumed_total{result="dead_lettered"}) or sum(notifications_consumed_total) * 0',
            legend: 'notifications DLQ',
          },
        }),
      ),
    ],
  });
}
