import type { RunOptions } from '../scenario.ts';
import type { LabExporter } from '../exporter/lab-metrics.ts';
import { nowMs } from '../metrics/clock.ts';
import type { PhaseRecorder } from '../metrics/phase-recorder.ts';
import { scrapeProcesses, type PromSample } from '../metrics/prometheus-text.ts';
import { createHttpClient, type HttpClient, type HttpRequestSpec } from '../load/http-client.ts';
import { startListenerFleet, type ListenerFleet } from '../load/listener-fleet.ts';
import { replayLatencyBatch } from '../load/live-latency.ts';
import type { RequestStats } from '../load/request-stats.ts';
import { fireWave, type WaveResult } from '../load/wave.ts';
import { runWriters, notificationsOf, type WritersOptions, type WritersResult } from '../load/writers.ts';
import type { ServiceName, Target } from '../target/target.ts';
import * as faultActions from './fault-actions.ts';
import type { BreakerPoint } from './service-sampler.ts';
import type { PhaseClock } from './phase-clock.ts';
import type { ExpectedNotification } from '../measure/correlation.ts';

/** Fault helpers bound to the target's Toxiproxy client. */
export interface ContextFaults {
  disable(proxy: string): Promise<void>;
  enable(proxy: string): Promise<void>;
  partition(proxy: string): Promise<void>;
  heal(proxy: string): Promise<void>;
  addToxic<T>(proxy: string, toxic: faultActions.ToxicOptions<T>): Promise<string>;
  removeToxic(proxy: string, name: string): Promise<void>;
}

/** What a scenario's phases, faults and checks are given. */
export interface ScenarioContext {
  readonly scenario: string;
  readonly options: RunOptions;
  readonly target: Target;
  readonly runId: string;
  /** Aborted on Ctrl-C/SIGTERM: stop starting new work. */
  readonly signal: AbortSignal;
  /** Seeded by `--seed`: reproducible choices. */
  readonly random: () => number;
  /** Keep-alive client for the API (256 sockets). */
  readonly api: HttpClient;
  /** The phase running now (`setup` before the first one, `collect` after the last). */
  readonly phase: string;
  readonly variant: string | undefined;
  /** The phase that was running at an epoch-ms instant (e.g. an intended send time). */
  phaseAt(epochMs: number): string;
  /** Epoch ms when the named phase started (undefined if it has not). */
  phaseStartMs(phase: string): number | undefined;
  /** Epoch ms when the named fault was applied / rolled back. */
  faultTimes(fault: string): { appliedMs?: number; rolledBackMs?: number };
  log(message: string): void;
  /** A line for the report's notes. */
  note(text: string): void;
  /** Sets a result metric (dotted name, e.g. `dedupe.hitRate` or `phase.cut.events.accepted`). */
  metric(name: string, value: number): void;
  metrics(): Readonly<Record<string, number>>;
  /** Records a client-side latency (µs) in the phase at `intendedAtMs`, into the run's HDR histograms. */
  recordLatency(latencyUs: number, intendedAtMs: number): void;
  /** Counts one response for the live line, the lab metrics and `phase.<p>.http.*`. */
  countResponse(status: number, deduplicated: boolean, atMs?: number): void;
  /** A new HTTP client (e.g. with a pool as large as a wave); closed at the end of the run. */
  httpClient(baseUrl: string, maxSockets: number): HttpClient;
  /** Fires `count` identical requests at once; counted and recorded. */
  wave(count: number, spec: HttpRequestSpec, client?: HttpClient): Promise<WaveResult>;
  /** Fixed-rate POST/PUT writers; every accepted write's notifications become expected. */
  writers(
    options: Omit<WritersOptions, 'client' | 'correlationPrefix'> & { client?: HttpClient },
  ): Promise<WritersResult>;
  /** Starts SSE + Socket.IO listener processes against the notifications service (through its proxy). */
  listeners(counts: { sse: number; socketio: number; connectRatePerSec?: number }): ListenerFleet;
  /** The fleets started so far by {@link ScenarioContext.listeners}. */
  fleets(): readonly ListenerFleet[];
  /** Epoch ms at which the run's measurements start (timeline `tSec` 0). */
  readonly runStartedMs: number;
  /** Declares a notification every listener should receive, with the intended send of its cause. */
  expectNotification(type: string, correlationId: string, intendedAtUs: number): void;
  /** Every expected notification so far, in intended send order. */
  expectedNotifications(): ExpectedNotification[];
  /** Runs work in the background across phases; awaited (and its errors reported) before `collect`. */
  background(name: string, work: Promise<unknown>): void;
  faults: ContextFaults;
  /** Scrapes one service's `/metrics` now. */
  scrape(service: ServiceName): Promise<PromSample[]>;
  /** Breaker states sampled every 250 ms so far. */
  breakerTimeline(): BreakerPoint[];
}

export interface ContextDeps {
  scenario: string;
  options: RunOptions;
  target: Target;
  signal: AbortSignal;
  random: () => number;
  clock: PhaseClock;
  recorder: PhaseRecorder;
  stats: RequestStats;
  exporter: LabExporter;
  log: (message: string) => void;
  notes: string[];
  metrics: Record<string, number>;
  backgrounds: Map<string, Promise<unknown>>;
  fleets: ListenerFleet[];
  clients: HttpClient[];
  expected: ExpectedNotification[];
  breakers: () => BreakerPoint[];
  startedMs: number;
}

export function createScenarioContext(deps: ContextDeps): ScenarioContext {
  const api = createHttpClient({ baseUrl: deps.target.apiUrl, maxSockets: 256 });
  deps.clients.push(api);
  const { toxiproxy } = deps.target;
  let writerBatch = 0;
  const ctx: ScenarioContext = {
    scenario: deps.scenario,
    options: deps.options,
    target: deps.target,
    runId: deps.target.runId,
    signal: deps.signal,
    random: deps.random,
    api,
    get phase() {
      return deps.clock.current();
    },
    get variant() {
      return deps.clock.variant();
    },
    phaseAt: (ms) => deps.clock.phaseAt(ms),
    phaseStartMs: (phase) => deps.clock.startOf(phase),
    faultTimes: (fault) => deps.clock.faultTimes(fault),
    log: deps.log,
    note: (text) => void deps.notes.push(text),
    metric(name, value) {
      deps.metrics[name] = value;
    },
    metrics: () => deps.metrics,
    recordLatency(latencyUs, intendedAtMs) {
      deps.recorder.record(deps.clock.phaseAt(intendedAtMs), latencyUs, intendedAtMs);
      deps.exporter.observeLatency('http', 'http', latencyUs);
    },
    countResponse(status, deduplicated, atMs = nowMs()) {
      deps.stats.record(deps.clock.phaseAt(atMs), status, deduplicated);
    },
    httpClient(baseUrl, maxSockets) {
      const client = createHttpClient({ baseUrl, maxSockets });
      deps.clients.push(client);
      return client;
    },
    async wave(count, spec, client = api) {
      const firedAtMs = nowMs();
      deps.recorder.count(deps.clock.phaseAt(firedAtMs), 'waves');
      return fireWave(client, count, spec, (latencyUs, status, deduplicated) => {
        ctx.recordLatency(latencyUs, firedAtMs);
        ctx.countResponse(status, deduplicated, firedAtMs);
      });
    },
    async writers(options) {
      writerBatch += 1;
      return runWriters({
        ...options,
        client: options.client ?? api,
        correlationPrefix: `${deps.target.runId}-${deps.clock.current()}-${writerBatch}`,
        signal: deps.signal,
        onAccepted(correlationId, intendedAtUs, kind) {
          for (const type of notificationsOf[kind]) ctx.expectNotification(type, correlationId, intendedAtUs);
          options.onAccepted?.(correlationId, intendedAtUs, kind);
        },
        onResponse(event) {
          const atMs = event.intendedAtUs / 1000;
          ctx.recordLatency(event.latencyUs, atMs);
          ctx.countResponse(event.response?.status ?? 0, event.response?.deduplicated ?? false, atMs);
          options.onResponse?.(event);
        },
      });
    },
    listeners(counts) {
      const fleet = startListenerFleet({
        baseUrl: deps.target.notificationsUrl,
        runId: deps.target.runId,
        ...counts,
        onLatency: (transport, batch) =>
          replayLatencyBatch(batch, (latencySec) =>
            deps.exporter.observeLatency('notification', transport, latencySec * 1e6),
          ),
      });
      deps.fleets.push(fleet);
      return fleet;
    },
    fleets: () => deps.fleets,
    runStartedMs: deps.startedMs,
    expectNotification(type, correlationId, intendedAtUs) {
      const expected = { type, correlationId, intendedSendUs: intendedAtUs };
      deps.expected.push(expected);
      for (const fleet of deps.fleets) fleet.expect([expected]);
    },
    expectedNotifications: () => [...deps.expected].sort((a, b) => a.intendedSendUs - b.intendedSendUs),
    background(name, work) {
      // Errors are reported when awaited; never left unhandled in the meantime.
      work.catch(() => undefined);
      deps.backgrounds.set(name, work);
    },
    faults: {
      disable: (proxy) => faultActions.disableProxy(toxiproxy, proxy),
      enable: (proxy) => faultActions.enableProxy(toxiproxy, proxy),
      partition: (proxy) => faultActions.partition(toxiproxy, proxy),
      heal: (proxy) => faultActions.healPartition(toxiproxy, proxy),
      addToxic: (proxy, toxic) => faultActions.addToxic(toxiproxy, proxy, toxic),
      removeToxic: (proxy, name) => faultActions.removeToxic(toxiproxy, proxy, name),
    },
    // Every process of the service, read as one scrape.
    scrape: (service) => scrapeProcesses(deps.target.processMetricsUrls[service], 2000),
    breakerTimeline: deps.breakers,
  };
  return ctx;
}
