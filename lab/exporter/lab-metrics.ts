import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { labMetricNames } from '../lab-metric-names.ts';

/** The lab's own Prometheus metrics while a run is live (names: system/shared/metric-names.ts). */
export interface LabExporter {
  /** `http://127.0.0.1:<port>/metrics`, or undefined when the port could not be bound. */
  readonly url: string | undefined;
  setPhase(phase: string, active: boolean): void;
  setFault(fault: string, active: boolean): void;
  /** Client-side latency in microseconds. */
  observeLatency(kind: 'http' | 'notification', transport: string, latencyUs: number): void;
  setDedupeHitRatio(ratio: number): void;
  setListeners(transport: string, connected: number): void;
  countRequest(status: number, deduplicated: boolean): void;
  readonly registry: Registry;
  close(): Promise<void>;
}

/** Upper bounds of `lab_latency_seconds`, in seconds. */
export const labLatencyBucketsSec = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/**
 * Serves `/metrics` on `port` (LAB_METRICS_PORT, default 9464; 0 = any free port). A port already
 * in use is reported through `warn` and the run goes on without the endpoint.
 */
export async function startLabExporter(options: {
  scenario: string;
  port: number;
  host?: string;
  warn(message: string): void;
}): Promise<LabExporter> {
  const registry = new Registry();
  registry.setDefaultLabels({ scenario: options.scenario });
  const phase = new Gauge({
    name: labMetricNames.phase,
    help: '1 while the phase runs',
    labelNames: ['phase'],
    registers: [registry],
  });
  const fault = new Gauge({
    name: labMetricNames.faultActive,
    help: '1 while the fault is applied',
    labelNames: ['fault'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: labMetricNames.latency,
    help: 'Client-side latency measured by the lab (from intended send time)',
    labelNames: ['kind', 'transport'],
    buckets: labLatencyBucketsSec,
    registers: [registry],
  });
  const hitRatio = new Gauge({
    name: labMetricNames.dedupeHitRatio,
    help: 'Share of responses with X-Deduplicated: true',
    registers: [registry],
  });
  const listeners = new Gauge({
    name: labMetricNames.listenersConnected,
    help: 'Lab listeners connected',
    labelNames: ['transport'],
    registers: [registry],
  });
  const requests = new Counter({
    name: labMetricNames.requests,
    help: 'Responses seen by the lab',
    labelNames: ['status', 'deduplicated'],
    registers: [registry],
  });

  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  const url = await new Promise<string | undefined>((resolve) => {
    server.once('error', (error) => {
      options.warn(
        `lab metrics not served: port ${options.port} unavailable (${error.message}); set LAB_METRICS_PORT`,
      );
      resolve(undefined);
    });
    server.listen({ port: options.port, host: options.host ?? '0.0.0.0' }, () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`),
    );
  });

  return {
    url,
    registry,
    setPhase: (name, active) => phase.set({ phase: name }, active ? 1 : 0),
    setFault: (name, active) => fault.set({ fault: name }, active ? 1 : 0),
    observeLatency: (kind, transport, latencyUs) => latency.observe({ kind, transport }, latencyUs / 1e6),
    setDedupeHitRatio: (ratio) => hitRatio.set(ratio),
    setListeners: (transport, connected) => listeners.set({ transport }, connected),
    countRequest: (status, deduplicated) =>
      requests.inc({ status: String(status), deduplicated: String(deduplicated) }),
    close: () =>
      new Promise<void>((resolve) => {
        if (!url) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
