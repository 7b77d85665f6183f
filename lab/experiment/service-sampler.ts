import { metricNames } from '../../contracts/service-metrics.ts';
import {
  counterRateSeries,
  createMetricsSampler,
  gaugeSeries,
  histogramQuantileSeries,
  type MetricsSampler,
  type SeriesSpec,
} from '../metrics/metrics-sampler.ts';
import type { ServiceName } from '../target/target.ts';
import { breakerSamplesOf, type BreakerSample } from '../probes/breakers.ts';

/** A breaker sample placed on the run's timeline (`tSec` from the run's start). */
export interface BreakerPoint extends BreakerSample {
  tSec: number;
}

/**
 * Captures every `circuit_breaker_state{breaker}` of a service at each scrape (breaker names are
 * not known in advance, so this spec records into its own list and returns no single value).
 */
function breakerCapture(service: ServiceName, points: BreakerPoint[], startMs: number): SeriesSpec {
  return {
    name: `${service}.breaker.capture`,
    target: service,
    extract(current) {
      const atMs = Date.now();
      for (const sample of breakerSamplesOf(service, current, atMs))
        points.push({ ...sample, tSec: (atMs - startMs) / 1000 });
      return undefined;
    },
  };
}

/** The series every run samples from the services' `/metrics`. */
function standardSeries(): SeriesSpec[] {
  const dedupe = metricNames.dedupeRequests;
  return [
    dedupeHitRate(),
    counterRateSeries('api.dedupe.coalescedPerSec', 'api', dedupe, { outcome: 'coalesced' }),
    counterRateSeries('api.dedupe.cachedPerSec', 'api', dedupe, { outcome: 'cached' }),
    counterRateSeries('api.dedupe.executedPerSec', 'api', dedupe, { outcome: 'executed' }),
    counterRateSeries('api.db.queriesPerSec', 'api', metricNames.dbQueries),
    gaugeSeries('api.outbox.pending', 'api', metricNames.outboxPending),
    gaugeSeries('api.outbox.oldestAgeSec', 'api', metricNames.outboxOldestAge),
    counterRateSeries('api.publish.confirmsPerSec', 'api', metricNames.publishConfirms),
    counterRateSeries('api.publish.failuresPerSec', 'api', metricNames.publishFailures),
    histogramQuantileSeries('api.http.p99Sec', 'api', metricNames.httpDuration, 0.99),
    counterRateSeries('worker.messages.okPerSec', 'worker', metricNames.workerMessages, { result: 'ok' }),
    gaugeSeries('worker.consumer.connected', 'worker', metricNames.workerConsumerConnected),
    gaugeSeries('notifications.connected.sse', 'notifications', metricNames.notificationsConnected, {
      transport: 'sse',
    }),
    gaugeSeries('notifications.connected.socketio', 'notifications', metricNames.notificationsConnected, {
      transport: 'socketio',
    }),
    counterRateSeries('notifications.deliveriesPerSec', 'notifications', metricNames.notificationsDeliveries),
    histogramQuantileSeries(
      'notifications.pipeline.p99Sec',
      'notifications',
      metricNames.notificationsPipelineLatency,
      0.99,
    ),
    gaugeSeries('notifications.rssBytes', 'notifications', 'process_resident_memory_bytes'),
  ];
}

export interface ServiceSampler {
  sampler: MetricsSampler;
  breakers(): BreakerPoint[];
  start(): void;
  stop(): Promise<void>;
}

/**
 * Samples every service's `/metrics` each second into the timeline, and the breaker states every
 * 250 ms (so time-to-open/close is known to a quarter second, not a whole one).
 */
export function createServiceSampler(
  metricsUrls: Record<ServiceName, readonly string[]>,
  startMs: number,
): ServiceSampler {
  const targets = (Object.entries(metricsUrls) as [ServiceName, readonly string[]][]).map(
    ([name, [url = '', ...moreUrls]]) => ({ name, url, moreUrls }),
  );
  const breakerPoints: BreakerPoint[] = [];
  const sampler = createMetricsSampler({ targets, series: standardSeries(), startMs, nowMs: Date.now });
  // The notifications service has no breaker: four scrapes a second of the process holding every
  // listener connection would be load without information.
  const breakerTargets = targets.filter((t) => t.name !== 'notifications');
  const breakerSampler = createMetricsSampler({
    targets: breakerTargets,
    series: breakerTargets.map((t) => breakerCapture(t.name, breakerPoints, startMs)),
    intervalMs: 250,
    timeoutMs: 200,
    startMs,
  });
  return {
    sampler,
    breakers: () => [...breakerPoints],
    start() {
      sampler.start();
      breakerSampler.start();
    },
    async stop() {
      await Promise.all([sampler.stop(), breakerSampler.stop()]);
    },
  };
}

/** Server-side hit rate between scrapes: (coalesced + cached) / all dedupe decisions. */
function dedupeHitRate(): SeriesSpec {
  const coalesced = counterRateSeries('c', 'api', metricNames.dedupeRequests, { outcome: 'coalesced' });
  const cached = counterRateSeries('k', 'api', metricNames.dedupeRequests, { outcome: 'cached' });
  const all = counterRateSeries('a', 'api', metricNames.dedupeRequests);
  return {
    name: 'api.dedupe.hitRate',
    target: 'api',
    extract(current, previous, elapsedSec) {
      const total = all.extract(current, previous, elapsedSec);
      if (total === undefined || total <= 0) return undefined;
      return (
        ((coalesced.extract(current, previous, elapsedSec) ?? 0) +
          (cached.extract(current, previous, elapsedSec) ?? 0)) /
        total
      );
    },
  };
}
