// Messages between a listener fleet (listener-fleet.ts) and its processes (listener-worker.ts).
import type { LatencyBatch } from './live-latency.ts';
import type { DeliveryTotals, ListenerDelivery } from '../measure/delivery-analysis.ts';
import type { GeneratorSample } from '../metrics/event-loop-monitor.ts';
import type { Transport } from '../../contracts/transports.ts';
import type { ExpectedNotification } from '../measure/correlation.ts';
import type { EncodedJourneyBreakdown } from '../measure/journey-stages.ts';
export { transports, type Transport } from '../../contracts/transports.ts';

/**
 * Which client a listener runs: `lean` (raw `node:http` SSE, or Socket.IO over a bare `ws`), the
 * fleet's bulk, cheap enough that the generator is not the bottleneck; or `library` (`eventsource`,
 * `socket.io-client`), a share kept to measure what real clients pay.
 */
export const clientKinds = ['lean', 'library'] as const;
export type ClientKind = (typeof clientKinds)[number];

/** Notification types a listener subscribes to. */
export { notificationTypes } from '../../contracts/envelope.ts';

/** How often a process samples its health and sends a status, ms. */
export const STATUS_INTERVAL_MS = 1000;

export interface StartMessage {
  type: 'start';
  /**
   * Base URLs of the notifications service (through its fault proxy), or of each of its processes:
   * the listeners of each transport are spread over them in turn.
   */
  baseUrls: string[];
  ssePath: string;
  socketPath: string;
  sse: number;
  socketio: number;
  /** How many of `sse` run the library client (the rest are lean). */
  sseLibrary: number;
  /** How many of `socketio` run the library client. */
  socketioLibrary: number;
  /** Listener ids are `<idPrefix>-<transport>-<n>`. */
  idPrefix: string;
  /** New connections opened per second by this worker. */
  connectRatePerSec: number;
  /**
   * Source address of the lean listeners' connections (spreads > ~25k sockets over 127.0.0.x);
   * library listeners always leave from the default one.
   */
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

export const emptyCounters = (): TransportCounters => ({
  connected: 0,
  connects: 0,
  reconnects: 0,
  recovered: 0,
  disconnects: 0,
  errors: 0,
  receipts: 0,
});

export interface StatusMessage {
  type: 'status';
  counters: Record<Transport, TransportCounters>;
  /** The same counters split by client kind (they add up to `counters`). */
  countersByClient: Record<Transport, Record<ClientKind, TransportCounters>>;
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
  /** This process's join per transport and client kind; the fleet adds the kinds up per transport. */
  byClient: Record<Transport, Record<ClientKind, TransportAnalysis>>;
  /** Per expected notification (same index): its last receipt at this process's listeners, epoch µs, or 0. */
  lastReceiptUs: number[];
  /** Where the time went, over this process's receipts of notifications with a journey. */
  journey: EncodedJourneyBreakdown;
}

export type WorkerMessage = StatusMessage | AnalysisMessage | { type: 'fatal'; message: string };
