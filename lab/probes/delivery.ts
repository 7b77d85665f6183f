import { setTimeout as sleep } from 'node:timers/promises';
import type { ScenarioContext } from '../experiment/context.ts';
import type { ExpectedNotification } from '../measure/correlation.ts';

/** Delivery probes: did every listener get every notification the run's accepted writes caused? */

/** Expected notifications caused by writes sent in phases whose name starts with `prefix`. */
export function expectedOf(ctx: ScenarioContext, prefix: string): ExpectedNotification[] {
  return ctx.expectedNotifications().filter((e) => ctx.phaseAt(e.intendedSendUs / 1000).startsWith(prefix));
}

export interface DeliveryCheck {
  expected: number;
  delivered: number;
  missing: number;
  duplicated: number;
  /** Accepted writes none of whose notifications reached any listener. */
  lost: number;
  accepted: number;
  latencyP99Ms?: number;
}

/** Delivery of `expected` over every listener of the run (first fleet). */
export async function checkDelivery(
  ctx: ScenarioContext,
  expected: readonly ExpectedNotification[],
): Promise<DeliveryCheck | undefined> {
  const fleet = ctx.fleets()[0];
  if (!fleet) return undefined;
  const analysis = await fleet.join(expected);
  const totals = Object.values(analysis.byTransport).map((t) => t.totals);
  const ids = new Set(expected.map((e) => e.correlationId));
  const reached = analysis.reachedCorrelationIds;
  return {
    expected: expected.length * fleet.total,
    delivered: totals.reduce((s, t) => s + t.received, 0),
    missing: totals.reduce((s, t) => s + t.missing, 0),
    duplicated: totals.reduce((s, t) => s + t.duplicated, 0),
    accepted: ids.size,
    lost: [...ids].filter((id) => !reached.has(id)).length,
    ...(analysis.latency.count > 0 ? { latencyP99Ms: analysis.latency.summary().p99Ms } : {}),
  };
}

/** Polls {@link checkDelivery} until nothing is missing or `timeoutMs` passes; the last check. */
export async function waitForDelivery(
  ctx: ScenarioContext,
  prefix: string,
  timeoutMs: number,
): Promise<DeliveryCheck | undefined> {
  const until = Date.now() + timeoutMs;
  let last: DeliveryCheck | undefined;
  while (!ctx.signal.aborted) {
    last = await checkDelivery(ctx, expectedOf(ctx, prefix));
    if (!last || last.missing === 0 || Date.now() > until) return last;
    await sleep(1000);
  }
  return last;
}
