// Messages between a listener fleet (listener-fleet.ts) and its processes (listener-worker.ts).
import type { LatencyBatch } from './live-latency.ts';
import type { DeliveryTotals, ListenerDelivery } from '../measure/delivery-analysis.ts';
import type { GeneratorSample } from '../metrics/event-loop-monitor.ts';
import type { Transport } from '../../contracts/transports.ts';
import type { ExpectedNotification } from '../measure/correlation.ts';
export { transports, type Transport } from '../../contracts/transports.ts';

/** Notification types a listener subscribes to. */
export { notificationTypes } from '../../contracts/envelope.ts';

/** How often a process samples its health and sends a status, ms. */
export const STATUS_INTERVAL_MS = 1000;

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
  /** Source address for the connections (spreads > ~25k sockets over 127.0.0.x). */
  localAddress?: string;
}

/** Expectations as they are made, so the process can turn receipts into live latency samples. */
export interface ExpectMessage {
  type: 'expect';
  /** `[correlationId, intendedSendUs]`: the live join needs no more. */
  items: [string, number][];
}

export interface AnalyzeMessage {
  type: 'analyze';
  expected: ExpectedNotification[];
}

export type ParentMessage = StartMessage | ExpectMessage | AnalyzeMessage | { type: 'stop' };

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
  /** Event-loop lag p99 since the process started, ms. */
  lagP99Ms: number;
  cpuPercent: number;
  /** This process's health samples (one a second) taken since the last status. */
  samples: GeneratorSample[];
  /** End-to-end latency samples since the last status, per transport (see live-latency.ts). */
  latency?: Partial<Record<Transport, LatencyBatch>>;
}

export interface TransportAnalysis {
  totals: DeliveryTotals;
  /** Encoded HDR histogram (µs) of receipt − intended send. */
  latency: string;
  /** The same, per epoch second of the intended send (encoded histograms). */
  latencyBySecond: Record<string, string>;
  /** Up to 10 listeners that missed or duplicated something, for the report. */
  worst: ListenerDelivery[];
}

export interface AnalysisMessage {
  type: 'analysis';
  byTransport: Record<Transport, TransportAnalysis>;
  /** Per expected notification (same index): its last receipt at this process's listeners, epoch µs, or 0. */
  lastReceiptUs: number[];
}

export type WorkerMessage = StatusMessage | AnalysisMessage | { type: 'fatal'; message: string };
