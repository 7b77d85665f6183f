import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { metricNames } from '../../contracts/service-metrics.ts';
import { registerWithExemplars } from '../shared/metrics-exposition.ts';

export type DropReason = 'buffer' | 'stalled';

export interface NotificationsMetrics {
  connected: Gauge<'transport'>;
  deliveries: Counter<'transport' | 'type'>;
  /** Bytes of notification frames written (SSE event frames, Socket.IO WebSocket frames). */
  bytesWritten: Counter<'transport'>;
  dropped: Counter<'transport' | 'reason'>;
  replayed: Counter<'transport'>;
  pipelineLatency: Histogram<'transport'>;
  consumed: Counter<'type' | 'result'>;
}

/** Seconds; from a few milliseconds (idle) up to the minute-long tail of a fan-out that fell behind. */
const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** The notifications metrics (names in contracts/service-metrics.ts), registered on the service's registry. */
export function createNotificationsMetrics(registry: Registry): NotificationsMetrics {
  const registers = [registry];
  return {
    connected: new Gauge({
      name: metricNames.notificationsConnected,
      help: 'Connected notification clients by transport',
      labelNames: ['transport'],
      registers,
    }),
    bytesWritten: new Counter({
      name: metricNames.notificationsBytesWritten,
      help: 'Bytes of notification frames written to clients (SSE event frames, Socket.IO WebSocket frames); no HTTP chunking, no heartbeats',
      labelNames: ['transport'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: metricNames.notificationsDeliveries,
      help: 'Notifications written to clients (one per client per notification)',
      labelNames: ['transport', 'type'],
      registers,
    }),
    dropped: new Counter({
      name: metricNames.notificationsDropped,
      help: 'Slow or stalled clients disconnected by the server',
      labelNames: ['transport', 'reason'],
      registers,
    }),
    replayed: new Counter({
      name: metricNames.notificationsReplayed,
      help: 'Notifications replayed to reconnecting clients',
      labelNames: ['transport'],
      registers,
    }),
    // With the trace id of the notification as exemplar (OpenMetrics scrapes show it): a slow
    // bucket on a dashboard links to the trace of one notification that fell in it.
    pipelineLatency: registerWithExemplars(
      new Histogram({
        name: metricNames.notificationsPipelineLatency,
        help: 'From envelope occurredAt to the write on the last client socket of a broadcast, in seconds',
        labelNames: ['transport'],
        buckets: latencyBuckets,
        enableExemplars: true,
        registers: [],
      }),
      registers,
    ),
    consumed: new Counter({
      name: metricNames.notificationsConsumed,
      help: 'Notifications consumed from the broker by result',
      labelNames: ['type', 'result'],
      registers,
    }),
  };
}
