/** Messages between the listeners bench orchestrator and its listener processes (over IPC). */
export interface ListenerWorkerPlan {
  baseUrl: string;
  sse: number;
  socketio: number;
  /** Source address for this process's connections (127.0.0.x), to spread ephemeral ports. */
  localAddress: string;
  /** Connection attempts in flight at once. */
  connectConcurrency: number;
}

export interface TransportResult {
  connected: number;
  /** Notifications received (all listeners of this transport in this process). */
  delivered: number;
  /** Connections lost after being established. */
  disconnects: number;
  connectErrors: number;
  /** End-to-end latency in milliseconds, HDR histogram, compressed base64. */
  histogram: string;
}

export interface ListenerWorkerReport {
  sse: TransportResult;
  socketio: TransportResult;
  /** Event-loop delay of this listener process during the measured phase, in milliseconds. */
  loopLagMs: { p50: number; p99: number; max: number };
}

export type ToWorker = { kind: 'start-measuring' } | { kind: 'report' } | { kind: 'stop' };

export type FromWorker =
  | { kind: 'connected'; sse: number; socketio: number; connectErrors: number }
  | { kind: 'report'; report: ListenerWorkerReport };

export const histogramOptions = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 120_000,
  numberOfSignificantValueDigits: 3,
} as const;
