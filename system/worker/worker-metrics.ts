import { Counter, Gauge, Histogram } from 'prom-client';
import { metricNames } from '../../contracts/service-metrics.ts';
import type { ServiceMetrics } from '../shared/metrics.ts';

/** How a consumed message ended, plus `skipped`: its student no longer exists. */
export type MessageResult = 'ok' | 'retried' | 'dead_lettered' | 'duplicate' | 'skipped';

export interface WorkerMetrics {
  messages: Counter<'type' | 'result'>;
  processingDuration: Histogram<'type'>;
  consumerConnected: Gauge;
  cacheSkipped: Counter<'reason'>;
  dbGroupSize: Histogram<'step'>;
}

/** Seconds: a message is a few milliseconds of database work, up to the slowest timeouts. */
const processingBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createWorkerMetrics({ registry }: ServiceMetrics): WorkerMetrics {
  return {
    messages: new Counter({
      name: metricNames.workerMessages,
      help: 'Consumed messages by type and result (ok, retried, dead_lettered, duplicate, skipped)',
      labelNames: ['type', 'result'],
      registers: [registry],
    }),
    processingDuration: new Histogram({
      name: metricNames.workerProcessingDuration,
      help: 'Time from delivery to ack (or retry / dead-letter), in seconds',
      labelNames: ['type'],
      buckets: processingBuckets,
      registers: [registry],
    }),
    consumerConnected: new Gauge({
      name: metricNames.workerConsumerConnected,
      help: '1 while the consumer is connected to RabbitMQ, else 0',
      registers: [registry],
    }),
    cacheSkipped: new Counter({
      name: metricNames.workerCacheSkipped,
      help: 'Cache steps skipped because Redis was unavailable (the notification is still sent)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    dbGroupSize: new Histogram({
      name: metricNames.workerDbGroupSize,
      help: 'Messages sharing one database transaction (grows with prefetch and load)',
      labelNames: ['step'],
      buckets: [1, 2, 5, 10, 20, 50],
      registers: [registry],
    }),
  };
}
