import type { LatencyBatch } from './live-latency.ts';
import type { DeliveryTotals, ListenerDelivery } from '../metrics/delivery-tracker.ts';
import type { Transport } from '../../contracts/transports.ts';
export { transports, type Transport } from '../../contracts/transports.ts';

/** Notification types a listener subscribes to (SSE needs one listener per event name). */
export { notificationTypes } from '../../contracts/envelope.ts';

/**
 * The key a receipt is matched by: `<type>:<correlationId>`. One write causes several
 * notifications (e.g. `student.created` and `student.cached`), all with the request's correlation id.
 */
export function receiptKey(type: string, correlationId: string): string {
  return `${type}:${correlationId}`;
}

export interface StartMessage {
  type: 'start';
  /** Base URL of the notifications service (through its fault proxy). */
  baseUrl: string;
  ssePath: string;
  socketPath: string;
  sse: number;
  socketio: number;
  /** Listener ids are `<idPrefix>-<transport>-<n>`. */
  idPrefix: string;
  /** New connections opened per second by this worker. */
  connectRatePerSec: number;
  /** Source address for Socket.IO connections (spreads > ~25k sockets over 127.0.0.x). */
  localAddress?: string;
}

export interface AnalyzeMessage {
  type: 'analyze';
  /** `[receiptKey, intended send time in epoch µs]`. */
  expected: [string, number][];
}

export type ParentMessage = StartMessage | AnalyzeMessage | { type: 'stop' };

export interface TransportCounters {
  connected: number;
  /** Successful opens, first ones and reconnects. */
  connects: number;
  /** Opens after the first one of a listener. */
  reconnects: number;
  /** Socket.IO reconnects where connection-state recovery restored the session. */
  recovered: number;
  disconnects: number;
  errors: number;
  receipts: number;
}

export interface StatusMessage {
  type: 'status';
  counters: Record<Transport, TransportCounters>;
  /** All initial connection attempts were made. */
  rampDone: boolean;
  lagP99Ms: number;
  cpuPercent: number;
  /** End-to-end latency samples since the last status, per transport (see live-latency.ts). */
  latency?: Partial<Record<Transport, LatencyBatch>>;
}

export interface TransportAnalysis {
  totals: DeliveryTotals;
  /** Encoded HDR histogram (µs) of receipt − intended send. */
  latency: string;
  /** Up to 10 listeners that missed or duplicated something, for the report. */
  worst: ListenerDelivery[];
}

export interface AnalysisMessage {
  type: 'analysis';
  byTransport: Record<Transport, TransportAnalysis>;
  /** Time of the LAST receipt of each key over this worker's listeners, epoch µs (time to last subscriber). */
  lastReceiptUs: Record<string, number>;
}

export type WorkerMessage = StatusMessage | AnalysisMessage | { type: 'fatal'; message: string };
