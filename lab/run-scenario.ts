import { randomBytes } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AnyScenario, RunOptions } from './scenario.ts';
import { variantsOf } from './scenario.ts';
import { createAnnotationLog } from './exporter/annotations.ts';
import { startLabExporter, type LabExporter } from './exporter/lab-metrics.ts';
import { createScenarioContext, type ScenarioContext } from './experiment/context.ts';
import { createPhaseClock } from './experiment/phase-clock.ts';
import { createProgressLine } from './experiment/progress.ts';
import { buildResult } from './experiment/build-result.ts';
import { runExperiment, steadyStateGates, SteadyStateError } from './experiment/run-experiment.ts';
import { createServiceSampler, type ServiceSampler } from './experiment/service-sampler.ts';
import {
  httpMetrics,
  journeyCoverageMetrics,
  journeyUrlsOf,
  notificationLatencyTimeline,
  notificationMetrics,
  slowestNotifications,
} from './experiment/standard-metrics.ts';
import { createJourneyCollector } from './probes/journeys.ts';
import { allGatesPassed, judgeGates } from './gates/judge-gates.ts';
import { createSeededRandom } from './faults/random.ts';
import type { HttpClient } from './load/http-client.ts';
import type { ListenerFleet } from './load/listener-fleet.ts';
import { transports } from './load/listener-protocol.ts';
import { createRequestStats } from './load/request-stats.ts';
import { createEventLoopMonitor } from './metrics/event-loop-monitor.ts';
import { createPhaseRecorder } from './metrics/phase-recorder.ts';
import { fileTimestamp, writeResults, type WrittenResults } from './report/write-results.ts';
import type { LabResult } from './report/result-schema.ts';
import { connectComposeTarget } from './target/compose-target.ts';
import { startLocalTarget } from './target/local-target.ts';
import { isTargetError, TargetError, type ServiceEnvs, type Target } from './target/target.ts';
import type { ExpectedNotification } from './measure/correlation.ts';
import { listenerLagReason } from './measure/validity.ts';
import type { LatencyPoint } from './report/result-schema.ts';
import { alertMetricNames, alertTiming, gatesOfAlert, readAlertFiring } from './probes/alerts.ts';

export interface RunScenarioOptions {
  scenario: AnyScenario;
  options: RunOptions;
  target: 'local' | 'compose';
  repoRoot: string;
  /** Reports root (default `reports/`). */
  outDir: string;
  /** Also copy the result JSON here. */
  jsonFile?: string;
  /** false with `--no-gates`: gates are judged and reported but do not decide the exit code. */
  enforceGates: boolean;
  signal: AbortSignal;
  /**
   * Extra service environment over the scenario's and its variants' (a comparison side's
   * `--baseline-env` / `--candidate-env`, passed to the CLI as `LAB_SERVICE_ENV`).
   */
  serviceEnv?: ServiceEnvs;
  /** LAB_METRICS_PORT (default 9464; 0 = any). */
  metricsPort: number;
  /** Lines for the user (stderr). */
  log: (line: string) => void;
  /** `--quiet`: no live progress line either. */
  quiet?: boolean;
  /** `--prometheus <url>`: a Prometheus with the lab's rules scraping the services; alert gates are judged on it. */
  prometheusUrl?: string;
  /** Override for tests. */
  startTarget?(env: ServiceEnvs, runId: string, logDir: string): Promise<Target>;
}

export interface RunOutcome {
  /** 0 every gate holds · 1 a gate failed · 2 the run could not be made (or is invalid) · 130 interrupted. */
  exitCode: 0 | 1 | 2 | 130;
  message: string;
  result?: LabResult;
  written?: WrittenResults;
}

function mergeEnvs(...envs: (ServiceEnvs | undefined)[]): ServiceEnvs {
  const out: ServiceEnvs = {};
  for (const env of envs) {
    for (const [name, vars] of Object.entries(env ?? {}) as [keyof ServiceEnvs, Record<string, string>][]) {
      out[name] = { ...(out[name] ?? {}), ...vars };
    }
  }
  return out;
}

interface Resources {
  target?: Target;
  exporter?: LabExporter;
  sampler?: ServiceSampler;
  fleets: ListenerFleet[];
  clients: HttpClient[];
}

async function release(resources: Resources, log: (line: string) => void): Promise<void> {
  const steps: [string, () => Promise<void> | void][] = [
    ['sampler', () => resources.sampler?.stop()],
    ['listeners', () => Promise.all(resources.fleets.map((f) => f.close())).then(() => undefined)],
    ['http clients', () => resources.clients.forEach((c) => c.close())],
    ['target', () => resources.target?.close()],
    ['lab metrics', () => resources.exporter?.close()],
  ];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      log(`teardown of ${name} failed: ${(error as Error).message}`);
    }
  }
}

/**
 * Runs one scenario end to end: target up → lab metrics → experiment → measurements → gates →
 * reports, and ALWAYS tears the target down (also on abort and on error).
 */
export async function runScenario(run: RunScenarioOptions): Promise<RunOutcome> {
  const { scenario, options, log } = run;
  const runId = `lab-${scenario.name}-${randomBytes(4).toString('hex')}`;
  const scenarioDir = path.join(run.outDir, scenario.name);
  const resources: Resources = { fleets: [], clients: [] };
  const env = mergeEnvs(
    typeof scenario.env === 'function' ? scenario.env(options) : scenario.env,
    variantsOf(scenario, options)[0]?.env,
    run.serviceEnv,
  );
  try {
    resources.exporter = await startLabExporter({
      scenario: scenario.name,
      port: run.metricsPort,
      warn: log,
    });
    if (resources.exporter.url) log(`lab metrics at ${resources.exporter.url}`);
    log(`run ${runId}: starting the ${run.target} target`);
    resources.target = run.startTarget
      ? await run.startTarget(env, runId, path.join(scenarioDir, 'logs'))
      : run.target === 'local'
        ? await startLocalTarget({
            repoRoot: run.repoRoot,
            runId,
            logDir: path.join(scenarioDir, 'logs'),
            env,
            log,
          })
        : await connectComposeTarget(runId);
    if (run.signal.aborted) return { exitCode: 130, message: 'interrupted' };
    return await measure(run, runId, resources, scenarioDir);
  } catch (error) {
    if (run.signal.aborted)
      return { exitCode: 130, message: 'interrupted; everything the run started was stopped' };
    if (isTargetError(error)) {
      return {
        exitCode: 2,
        message: `cannot run ${scenario.name}: ${error.message}${error.hint ? `\nwhat to do: ${error.hint}` : ''}`,
      };
    }
    if (error instanceof SteadyStateError) {
      return {
        exitCode: 2,
        message: `${error.message}\nwhat to do: check the service logs in ${path.join(scenarioDir, 'logs')}`,
      };
    }
    throw error;
  } finally {
    await release(resources, log);
  }
}

async function measure(
  run: RunScenarioOptions,
  runId: string,
  resources: Resources,
  scenarioDir: string,
): Promise<RunOutcome> {
  const { scenario, options, log } = run;
  const target = resources.target as Target;
  const exporter = resources.exporter as LabExporter;
  const startedMs = Date.now();
  const startedAt = new Date(startedMs).toISOString();
  const clock = createPhaseClock();
  const recorder = createPhaseRecorder({ startMs: startedMs });
  const stats = createRequestStats();
  stats.onRecord((_phase, status, deduplicated) => {
    exporter.countRequest(status, deduplicated);
    if (stats.total > 0) exporter.setDedupeHitRatio(stats.deduplicated / stats.total);
  });
  const monitor = createEventLoopMonitor();
  resources.sampler = createServiceSampler(target.processMetricsUrls, startedMs);
  const journeys = createJourneyCollector({ urls: journeyUrlsOf(target) });
  const annotations = createAnnotationLog({
    dir: scenarioDir,
    stamp: fileTimestamp(startedAt),
    scenario: scenario.name,
    runId,
    log,
  });
  const notes: string[] = [];
  const metrics: Record<string, number> = {};
  const backgrounds = new Map<string, Promise<unknown>>();
  const expected: ExpectedNotification[] = [];
  const ctx: ScenarioContext = createScenarioContext({
    scenario: scenario.name,
    options,
    target,
    signal: run.signal,
    random: createSeededRandom(options.seed),
    clock,
    recorder,
    stats,
    exporter,
    log,
    notes,
    metrics,
    backgrounds,
    fleets: resources.fleets,
    clients: resources.clients,
    expected,
    breakers: () => resources.sampler?.breakers() ?? [],
    startedMs,
  });
  let peakListeners = 0;
  const progress = createProgressLine({
    scenario: scenario.name,
    snapshot() {
      const connected = resources.fleets.reduce((s, f) => s + f.connected(), 0);
      peakListeners = Math.max(peakListeners, connected);
      for (const t of transports)
        exporter.setListeners(
          t,
          resources.fleets.reduce((s, f) => s + f.counters()[t].connected, 0),
        );
      const active = clock.faults().filter((f) => f.appliedMs !== undefined && f.rolledBackMs === undefined);
      return {
        phase: clock.current(),
        elapsedSec: (Date.now() - startedMs) / 1000,
        requests: stats.total,
        errors: stats.errors,
        deduplicated: stats.deduplicated,
        listenersConnected: connected,
        listenersTotal: resources.fleets.reduce((s, f) => s + f.total, 0),
        faults: active.map((f) => f.name),
      };
    },
  });
  const restart = async (variantIndex: number): Promise<void> => {
    const variant = variantsOf(scenario, options)[variantIndex];
    if (!variant || variantIndex === 0) return;
    if (!target.restartService)
      throw new TargetError(
        `variant ${variant.name} needs services restarted with new env; the ${target.kind} target cannot`,
        'run it with --target local',
      );
    for (const [name, vars] of Object.entries(variant.env) as [keyof ServiceEnvs, Record<string, string>][])
      await target.restartService(name, { ...vars, ...run.serviceEnv?.[name] });
  };

  const notificationLatency: LatencyPoint[] = [];
  monitor.start();
  resources.sampler.start();
  journeys.start();
  if (!run.quiet) progress.start();
  annotations.add({ kind: 'run', name: runId, event: 'start' });
  try {
    await runExperiment(
      { scenario, ctx, clock, exporter, annotations, backgrounds, log: (m) => progress.log(m) },
      restart,
      async () => {
        Object.assign(metrics, httpMetrics(recorder, stats));
        const collected = await journeys.collect();
        const withJourneys = ctx.expectedNotifications().map((e) => {
          const journey = collected.lookup(e);
          return journey ? { ...e, journey } : e;
        });
        Object.assign(
          metrics,
          await notificationMetrics(resources.fleets, withJourneys, clock.phaseAt, (a) => {
            notificationLatency.push(...notificationLatencyTimeline(a, startedMs));
            notes.push(...slowestNotifications(a, withJourneys));
          }),
          journeyCoverageMetrics(withJourneys, collected),
        );
        metrics['listeners.connected'] = peakListeners;
      },
    );
  } catch (error) {
    if (run.signal.aborted)
      return { exitCode: 130, message: 'interrupted; everything the run started was stopped' };
    throw error;
  } finally {
    progress.stop();
    monitor.stop();
    await resources.sampler.stop();
    journeys.stop();
    annotations.add({ kind: 'run', name: runId, event: 'end' });
  }
  if (run.signal.aborted)
    return { exitCode: 130, message: 'interrupted; everything the run started was stopped' };

  const alertGates = run.prometheusUrl ? (scenario.alertGates ?? []) : [];
  for (const gate of alertGates) {
    const fault = clock.faultTimes(gate.fault);
    const names = alertMetricNames(gate.alert);
    try {
      const firing = await readAlertFiring(run.prometheusUrl ?? '', gate.alert, startedMs, {
        untilMs: (fault.rolledBackMs ?? Date.now()) + gate.resolvesWithinMs,
      });
      const timing = alertTiming(firing.firingMs, fault, 1_000, firing.queriedUntilMs);
      if (timing.firedAfterMs !== undefined) metrics[names.firedAfterMs] = timing.firedAfterMs;
      if (timing.resolvedAfterMs !== undefined) metrics[names.resolvedAfterMs] = timing.resolvedAfterMs;
    } catch (error) {
      log(
        `alert gate "${gate.name}": could not read ${gate.alert} from ${run.prometheusUrl}: ${(error as Error).message}`,
      );
    }
  }
  const gates = [
    ...(typeof scenario.gates === 'function' ? scenario.gates(options) : scenario.gates),
    ...steadyStateGates(scenario.steadyState),
    ...alertGates.flatMap(gatesOfAlert),
  ];
  const health = monitor.generatorHealth();
  const listenerLag = Math.max(0, ...resources.fleets.map((f) => f.maxLagP99Ms()));
  metrics['generator.lagP99Ms'] = health.lagP99Ms;
  metrics['generator.cpuPercent'] = health.cpuPercent;
  metrics['generator.listenerLagP99Ms'] = listenerLag;
  const invalidReasons = [health.reason, listenerLagReason(listenerLag)].filter(
    (r): r is string => r !== undefined,
  );
  const gateResults = judgeGates(gates, metrics);
  const result = buildResult({
    scenario,
    options,
    target: target.kind,
    startedAt,
    startedMs,
    metrics,
    gates: gateResults,
    passed: allGatesPassed(gateResults),
    invalidReasons,
    clock,
    recorder,
    sampler: resources.sampler,
    notificationLatency,
    notes,
  });
  const written = await writeResults(result, { reportsDir: run.outDir });
  if (run.jsonFile) {
    await mkdir(path.dirname(path.resolve(run.jsonFile)), { recursive: true });
    await copyFile(written.json, run.jsonFile);
  }
  return outcomeOf(result, written, run.enforceGates);
}

function outcomeOf(result: LabResult, written: WrittenResults, enforceGates: boolean): RunOutcome {
  const lines = result.gates.map(
    (g) =>
      `  ${g.passed ? 'PASS' : 'FAIL'} ${g.name}: ${g.value ?? 'not measured'} ${g.op} ${g.threshold}${g.reason && !g.passed ? ` (${g.reason})` : ''}`,
  );
  const where = `report: ${written.markdown}`;
  if (!result.valid) {
    return {
      exitCode: 2,
      result,
      written,
      message: `INVALID: ${result.invalidReason}\nwhat to do: lower --rate/--listeners or free the CPU, then run again\n${lines.join('\n')}\n${where}`,
    };
  }
  if (!result.passed && enforceGates)
    return { exitCode: 1, result, written, message: `FAILED\n${lines.join('\n')}\n${where}` };
  return {
    exitCode: 0,
    result,
    written,
    message: `${result.passed ? 'PASSED' : 'FAILED (gates not enforced: --no-gates)'}\n${lines.join('\n')}\n${where}`,
  };
}
