import type { TopLevelSpec } from 'vega-lite';
import type { LabResult } from '../result-schema.ts';
import { faultTargets } from './fault-spans.ts';
import { seriesChart } from './series-chart.ts';

/** The services' gauges are sampled about once a second. */
const SAMPLE_GAP_SEC = 2.5;

/**
 * Outbox rows waiting to be published, for runs that cut or slow the broker: the backlog is what
 * such a fault builds and what recovery must drain.
 */
export function outboxChart(result: LabResult): TopLevelSpec | undefined {
  const pending = result.timeline.series?.['api.outbox.pending'] ?? [];
  if (pending.length === 0 || !faultTargets(result).has('rabbitmq')) return undefined;
  return seriesChart(result, {
    title: 'Outbox backlog (rows waiting to be published), faults shaded',
    yTitle: 'pending rows',
    rows: pending.map((p) => ({ tSec: p.tSec, line: 'api outbox pending', value: p.value })),
    maxGapSec: SAMPLE_GAP_SEC,
    step: true,
    linear: true,
  });
}

const transports = ['sse', 'socketio'] as const;

/**
 * Listeners connected per transport, for runs whose fault hits the notifications service: how
 * deep the reconnect storm cut and how fast every listener came back.
 */
export function listenersChart(result: LabResult): TopLevelSpec | undefined {
  if (!faultTargets(result).has('notifications')) return undefined;
  const rows = transports.flatMap((t) =>
    (result.timeline.series?.[`notifications.connected.${t}`] ?? []).map((p) => ({
      tSec: p.tSec,
      line: t,
      value: p.value,
    })),
  );
  if (rows.length === 0) return undefined;
  return seriesChart(result, {
    title: 'Listeners connected per transport, faults shaded',
    yTitle: 'connected listeners',
    rows,
    maxGapSec: SAMPLE_GAP_SEC,
    step: true,
    linear: true,
    dashLines: true,
    lineOrder: transports,
  });
}
