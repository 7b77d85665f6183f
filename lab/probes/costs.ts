import { setTimeout as sleep } from 'node:timers/promises';
import { metricNames, type CostCause } from '../../contracts/service-metrics.ts';
import type { ServiceName } from '../target/target.ts';
import { transports, type Transport } from '../../contracts/transports.ts';
import { sumSamples, type PromSample } from '../metrics/prometheus-text.ts';

/**
 * Deterministic cost counters: what the services sent (SQL statements, Redis commands, AMQP
 * publishes, notification bytes) between two scrapes, divided by the work done in between. Only
 * statements and commands caused by work count (cause `request` or `message`); relay polls,
 * health checks and the lab's own scrapes are `other` and left out, so the figure does not depend
 * on how long the measurement took.
 */

/** Counter totals over every service, at one moment. */
export interface CostSnapshot {
  sqlStatements: number;
  redisCommands: number;
  amqpPublishes: number;
  bytes: Record<Transport, number>;
  deliveries: Record<Transport, number>;
}

const workCauses: readonly CostCause[] = ['request', 'message'];

/** The services whose counters a snapshot adds up. */
export const costedServices: readonly ServiceName[] = ['api', 'worker', 'notifications'];

/** Adds up one scrape of each service into a snapshot. */
export function costSnapshotOf(scrapes: readonly (readonly PromSample[])[]): CostSnapshot {
  const total = (name: string, filter?: Record<string, string>) =>
    scrapes.reduce((sum, samples) => sum + (sumSamples(samples, name, filter) ?? 0), 0);
  const byCause = (name: string) => workCauses.reduce((sum, cause) => sum + total(name, { cause }), 0);
  const perTransport = (name: string) =>
    Object.fromEntries(transports.map((t) => [t, total(name, { transport: t })])) as Record<
      Transport,
      number
    >;
  return {
    sqlStatements: byCause(metricNames.sqlStatements),
    redisCommands: byCause(metricNames.redisCommands),
    amqpPublishes: total(metricNames.amqpPublishes),
    bytes: perTransport(metricNames.notificationsBytesWritten),
    deliveries: perTransport(metricNames.notificationsDeliveries),
  };
}

/** Takes a snapshot of every costed service; undefined when one could not be scraped. */
export async function takeCostSnapshot(
  scrape: (service: ServiceName) => Promise<PromSample[]>,
): Promise<CostSnapshot | undefined> {
  const scrapes = await Promise.all(costedServices.map((s) => scrape(s).catch(() => undefined)));
  return scrapes.every((s) => s !== undefined) ? costSnapshotOf(scrapes) : undefined;
}

const sameSnapshot = (a: CostSnapshot, b: CostSnapshot): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Scrapes until two scrapes `settleMs` apart agree (the last message's follow-up work, an ack or
 * a cache write, may still be under way when its notification arrives), for at most `timeoutMs`.
 */
export async function settledCostSnapshot(
  scrape: (service: ServiceName) => Promise<PromSample[]>,
  options: { settleMs?: number; timeoutMs?: number } = {},
): Promise<CostSnapshot | undefined> {
  const { settleMs = 300, timeoutMs = 10_000 } = options;
  const until = Date.now() + timeoutMs;
  let last = await takeCostSnapshot(scrape);
  while (Date.now() < until) {
    await sleep(settleMs);
    const next = await takeCostSnapshot(scrape);
    if (last && next && sameSnapshot(last, next)) return next;
    last = next;
  }
  return undefined;
}

/** Cost result metrics (names in result-metrics.ts) for `writes` accepted writes between two snapshots. */
export function costPerWrite(
  before: CostSnapshot,
  after: CostSnapshot,
  writes: number,
): Record<string, number> {
  if (writes <= 0) return {};
  const out: Record<string, number> = {
    'cost.sqlStatementsPerWrite': (after.sqlStatements - before.sqlStatements) / writes,
    'cost.redisCommandsPerWrite': (after.redisCommands - before.redisCommands) / writes,
    'cost.amqpPublishesPerWrite': (after.amqpPublishes - before.amqpPublishes) / writes,
  };
  let bytes = 0;
  let deliveries = 0;
  for (const t of transports) {
    const b = after.bytes[t] - before.bytes[t];
    const d = after.deliveries[t] - before.deliveries[t];
    if (d > 0) out[`cost.${t}.bytesPerNotification`] = b / d;
    bytes += b;
    deliveries += d;
  }
  if (deliveries > 0) out['cost.bytesPerNotification'] = bytes / deliveries;
  return out;
}
