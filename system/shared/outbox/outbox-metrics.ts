import { Counter, Gauge, type Registry } from 'prom-client';
import { metricNames } from '../../../contracts/service-metrics.ts';
import type { OutboxStats } from './outbox-store.ts';

export interface OutboxMetrics {
  /** Every message handed to a channel, retried attempts included. */
  publishes: Counter<'producer' | 'exchange'>;
  publishConfirms: Counter<'producer' | 'exchange'>;
  publishFailures: Counter<'producer' | 'exchange' | 'reason'>;
  /** Registers where the pending/age gauges read a producer's backlog at scrape time. */
  addSource(producer: string, stats: () => Promise<OutboxStats>): void;
}

/**
 * The outbox metrics (names in contracts/service-metrics.ts). The pending and age gauges query the store when scraped (at most
 * one query per producer per scrape), so they are exact even while the relay is backing off.
 */
export function createOutboxMetrics(registry: Registry): OutboxMetrics {
  const sources = new Map<string, () => Promise<OutboxStats>>();
  const snapshot = async () =>
    Promise.all(
      [...sources].map(async ([producer, stats]) => ({
        producer,
        stats: await stats().catch(() => undefined),
      })),
    );
  let pendingScrape: Promise<Awaited<ReturnType<typeof snapshot>>> | undefined;
  // Both gauges are collected in one scrape: share one query round.
  const shared = () => {
    pendingScrape ??= snapshot().finally(() => setTimeout(() => (pendingScrape = undefined), 50).unref());
    return pendingScrape;
  };
  new Gauge({
    name: metricNames.outboxPending,
    help: 'Outbox rows not yet published',
    labelNames: ['producer'],
    registers: [registry],
    async collect() {
      for (const { producer, stats } of await shared()) if (stats) this.set({ producer }, stats.pending);
    },
  });
  new Gauge({
    name: metricNames.outboxOldestAge,
    help: 'Age of the oldest unpublished outbox row, in seconds',
    labelNames: ['producer'],
    registers: [registry],
    async collect() {
      for (const { producer, stats } of await shared()) if (stats) this.set({ producer }, stats.oldestAgeSec);
    },
  });
  return {
    publishes: new Counter({
      name: metricNames.amqpPublishes,
      help: 'Messages handed to the broker, every attempt (retries included)',
      labelNames: ['producer', 'exchange'],
      registers: [registry],
    }),
    publishConfirms: new Counter({
      name: metricNames.publishConfirms,
      help: 'Messages confirmed by the broker',
      labelNames: ['producer', 'exchange'],
      registers: [registry],
    }),
    publishFailures: new Counter({
      name: metricNames.publishFailures,
      help: 'Messages whose publish failed (they stay in the outbox and are retried)',
      labelNames: ['producer', 'exchange', 'reason'],
      registers: [registry],
    }),
    addSource: (producer, stats) => void sources.set(producer, stats),
  };
}
