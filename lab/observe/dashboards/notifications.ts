import { labDashboard, labFaults, labPhases, type LabDashboard } from './lab-dashboard.ts';
import { percentiles, promTimeseries, row, tempoTraces, width } from './panels.ts';
import { httpPanels, processPanels, redisCommandsByCause } from './service-rows.ts';

const of = '{service="notifications"}';
// `or … * 0` gives 0 per transport rather than no series while clients are connected but none was
// dropped or replayed to.
const zeroPerTransport = `or on(transport) sum by (transport) (notifications_connected_clients${of}) * 0`;

export function notificationsDashboard(): LabDashboard {
  return labDashboard({
    uid: 'event-lab-notifications',
    title: 'Event lab: notifications',
    description:
      'Notifications: connected SSE/Socket.IO clients, deliveries, pipeline latency, drops, replays, HTTP.',
    tags: ['event-lab', 'notifications'],
    annotations: [labPhases(), labFaults()],
    rows: [
      row(
        'Listeners and fan-out',
        promTimeseries({
          title: 'Connected clients',
          description: 'SSE and Socket.IO clients connected now.',
          width: width.half,
          unit: 'short',
          queries: [
            { expr: `sum by (transport) (notifications_connected_clients${of})`, legend: '{{transport}}' },
          ],
        }),
        promTimeseries({
          title: 'Deliveries',
          width: width.half,
          unit: 'ops',
          style: 'stacked',
          queries: [
            {
              expr: `sum by (transport, type) (rate(notifications_deliveries_total${of}[$__rate_interval]))`,
              legend: '{{transport}} {{type}}',
            },
          ],
        }),
        promTimeseries({
          title: 'Pipeline latency',
          description:
            'Event occurredAt → written to the client socket. The dots on the p99 line are exemplars: one notification each, with its trace id; click one to open its trace in Tempo.',
          width: width.half,
          unit: 's',
          queries: Object.entries(percentiles).map(([p, q]) => ({
            expr: `histogram_quantile(${q}, sum by (le, transport) (rate(notifications_pipeline_latency_seconds_bucket${of}[$__rate_interval])))`,
            legend: `${p} {{transport}}`,
            ...(p === 'p99' && { exemplar: true }),
          })),
        }),
        promTimeseries({
          title: 'Consumed notifications',
          width: width.half,
          unit: 'ops',
          queries: [
            {
              expr: `sum by (type, result) (rate(notifications_consumed_total${of}[$__rate_interval]))`,
              legend: '{{type}} {{result}}',
            },
          ],
        }),
        promTimeseries({
          title: 'Dropped slow clients',
          description: 'Clients cut off because they could not keep up; 0 when none.',
          width: width.half,
          unit: 'short',
          style: 'bars',
          queries: [
            {
              expr: `sum by (transport, reason) (increase(notifications_dropped_clients_total${of}[$__rate_interval])) ${zeroPerTransport}`,
              legend: '{{transport}} {{reason}}',
            },
          ],
        }),
        promTimeseries({
          title: 'Replayed events',
          description:
            'Events re-sent after a reconnect (Last-Event-ID or connection-state recovery); 0 when none.',
          width: width.half,
          unit: 'short',
          style: 'bars',
          queries: [
            {
              expr: `sum by (transport) (increase(notifications_replayed_events_total${of}[$__rate_interval])) ${zeroPerTransport}`,
              legend: '{{transport}}',
            },
          ],
        }),
      ),
      row('HTTP', ...httpPanels('notifications')),
      row('Process', ...processPanels('notifications')),
      row(
        'Cost of work: what leaves the process',
        promTimeseries({
          title: 'Bytes per notification per listener',
          description:
            'Notification frame bytes written per delivery, by transport (SSE event frames; Socket.IO WebSocket frames).',
          width: width.half,
          unit: 'bytes',
          queries: [
            {
              expr: `sum by (transport) (rate(notifications_bytes_written_total${of}[$__rate_interval])) / sum by (transport) (rate(notifications_deliveries_total${of}[$__rate_interval]))`,
              legend: '{{transport}}',
            },
          ],
        }),
        redisCommandsByCause(
          'notifications',
          width.half,
          'Commands sent per second: message (replay buffer appends), other (health checks, replays to reconnecting clients).',
        ),
      ),
      row(
        'Following one notification: traces',
        tempoTraces({
          title: 'Recent notification journeys (Tempo)',
          description:
            "Traces that reached a fan-out, newest first, with their duration from the write's request to the fan-out: sort by duration, click a trace id to open its spans (API request, commit, outbox publish, worker, notifications, fan-out). Empty when no tracing backend receives the services' spans (OTEL_EXPORTER_OTLP_ENDPOINT).",
          width: width.full,
          traceql: '{ resource.service.name = "notifications" && name =~ "fanout.*" }',
          limit: 50,
          sortBy: 'Duration',
        }),
      ),
    ],
  });
}
