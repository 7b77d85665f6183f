import { setTimeout as sleep } from 'node:timers/promises';
import { metricNames } from '../../contracts/service-metrics.ts';
import type { ScenarioContext } from '../experiment/context.ts';
import { sumSamples } from '../metrics/prometheus-text.ts';

/** Outbox probes: publish failures and outbox depth of the API and the worker over a run. */

/** One poll of the API and worker `/metrics`. */
export interface PollPoint {
  atMs: number;
  /** `amqp_publish_failures_total` of the API (all labels). */
  apiPublishFailures: number;
  /** `outbox_pending_messages` of the API and the worker. */
  apiPending: number;
  /** `outbox_oldest_age_seconds` of the API: how long its oldest unconfirmed row has waited. */
  apiOldestAgeSec: number;
  workerPending: number;
}

export interface Poller {
  points(): readonly PollPoint[];
  stop(): Promise<void>;
}

/**
 * Polls the API and worker metrics every `intervalMs` for publish failures and outbox depth (the
 * engine samples breaker states itself: `ctx.breakerTimeline()`).
 */
export function startOutboxPoller(ctx: ScenarioContext, intervalMs = 200): Poller {
  const points: PollPoint[] = [];
  let running = true;
  const loop = (async () => {
    while (running && !ctx.signal.aborted) {
      const started = Date.now();
      const [api, worker] = await Promise.all([
        ctx.scrape('api').catch(() => undefined),
        ctx.scrape('worker').catch(() => undefined),
      ]);
      if (api) {
        points.push({
          atMs: Date.now(),
          apiPublishFailures: sumSamples(api, metricNames.publishFailures) ?? 0,
          apiPending: sumSamples(api, metricNames.outboxPending) ?? 0,
          apiOldestAgeSec: sumSamples(api, metricNames.outboxOldestAge) ?? 0,
          workerPending: worker ? (sumSamples(worker, metricNames.outboxPending) ?? 0) : 0,
        });
      }
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
  })();
  return {
    points: () => points,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** First poll at or after `fromMs` where both outboxes are back to `baseline` messages or fewer. */
export function drainedAt(
  points: readonly PollPoint[],
  fromMs: number,
  baseline: number,
): number | undefined {
  return points.find((p) => p.atMs >= fromMs && p.apiPending <= baseline && p.workerPending <= baseline)
    ?.atMs;
}

/** The first poll at or after `fromMs` that counted more publish failures than the poll before it. */
export function firstPublishFailureAfter(points: readonly PollPoint[], fromMs: number): number | undefined {
  const before =
    points.filter((p) => p.atMs <= fromMs).at(-1)?.apiPublishFailures ?? points[0]?.apiPublishFailures ?? 0;
  return points.find((p) => p.atMs >= fromMs && p.apiPublishFailures > before)?.atMs;
}
