import {
  resultMetrics,
  type ToxicOptions,
  type Fault,
  type Gate,
  type ScenarioContext,
  type SteadyStateCheck,
  type Target,
} from '../lab/index.ts';

/** Steps every scenario shares, so each scenario file reads as its own data. */

/** `/health/ready` of a service, as a steady-state probe answer. */
export async function ready(url: string): Promise<{ ok: boolean; detail?: string }> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3000) });
    return response.ok ? { ok: true } : { ok: false, detail: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

export const apiReady: SteadyStateCheck = { name: 'api ready', probe: (ctx) => ready(ctx.target.apiUrl) };

/** The API and the notifications service answer ready (before and after the run). */
export const servicesReady: readonly SteadyStateCheck[] = [
  apiReady,
  { name: 'notifications ready', probe: (ctx) => ready(ctx.target.notificationsDirectUrl) },
];

/** Connects `--listeners` listeners, half SSE and half Socket.IO, and waits for all of them. */
export async function connectListeners(ctx: ScenarioContext, timeoutMs: number): Promise<void> {
  const half = Math.floor(ctx.options.listeners / 2);
  await ctx.listeners({ sse: ctx.options.listeners - half, socketio: half }).waitConnected(timeoutMs);
}

/** A fault that adds one named toxic on apply and removes it on rollback. */
export function toxicFault<T>(fault: {
  name: string;
  phase: string;
  durationMs: Fault<unknown>['durationMs'];
  description: string;
  proxy: keyof Target['proxyNames'];
  toxic: (ctx: ScenarioContext) => ToxicOptions<T> & { name: string };
}): Fault<unknown> {
  const proxyOf = (ctx: ScenarioContext) => ctx.target.proxyNames[fault.proxy];
  return {
    name: fault.name,
    phase: fault.phase,
    durationMs: fault.durationMs,
    description: fault.description,
    apply: async (ctx) => void (await ctx.faults.addToxic(proxyOf(ctx), fault.toxic(ctx))),
    rollback: (ctx) => ctx.faults.removeToxic(proxyOf(ctx), fault.toxic(ctx).name),
  };
}

/** A fault that disables one proxy (connection refused) on apply and enables it on rollback. */
export function proxyCutFault(fault: {
  name: string;
  phase: string;
  atMs?: Fault<unknown>['atMs'];
  durationMs: Fault<unknown>['durationMs'];
  proxy: keyof Target['proxyNames'];
}): Fault<unknown> {
  const { proxy, ...timing } = fault;
  return {
    ...timing,
    description: `${proxy}: proxy disabled (connection refused)`,
    apply: (ctx) => ctx.faults.disable(ctx.target.proxyNames[proxy]),
    rollback: (ctx) => ctx.faults.enable(ctx.target.proxyNames[proxy]),
  };
}

/**
 * The delivery gates every scenario with listeners judges: no accepted write lost, every listener
 * got every notification (`missingName` says how), and none twice.
 */
export function deliveryGates(missingName = 'every listener got every notification'): Gate[] {
  return [
    { name: 'no accepted write is lost', metric: resultMetrics.eventsLost, op: '==', threshold: 0 },
    { name: missingName, metric: 'notifications.missing', op: '==', threshold: 0 },
    { name: 'no notification delivered twice', metric: 'notifications.duplicated', op: '==', threshold: 0 },
  ];
}
