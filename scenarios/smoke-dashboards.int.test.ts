import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarios } from './index.ts';
import { parseCliArgs } from '../lab/cli-args.ts';
import { runScenario } from '../lab/run-scenario.ts';
import { startLocalTarget } from '../lab/target/local-target.ts';
import type { Target } from '../lab/target/target.ts';
import { describeEmpty, evaluateQueries } from '../lab/observe/dashboard-data.ts';
import { extractPromQueries, loadDashboards } from '../lab/observe/dashboard-queries.ts';
import {
  ensurePrometheus,
  startPrometheus,
  type RunningPrometheus,
  type ScrapeTarget,
} from '../lab/observe/prometheus-runner.ts';

// The acceptance test of the dashboards and the alert rules: a real Prometheus (with the lab's
// rules) scrapes the three services and the lab while the `smoke` scenario runs (local target);
// smoke's alert gates (the breaker alert follows the broker cut) must pass on it, and every
// Prometheus query of every panel is evaluated over the run; a query that returns nothing fails.
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const scrapeIntervalSec = 1;
// Grafana's $__rate_interval is max(4 × scrape interval, step + scrape interval).
const variables = { __rate_interval: `${4 * scrapeIntervalSec + 1}s`, __interval: '2s', __range: '2m' };

const hostOf = (url: string) => new URL(url).host;

describe('dashboards during the smoke scenario', () => {
  let prometheus: RunningPrometheus | undefined;
  let outDir = '';
  const log: string[] = [];

  beforeAll(async () => {
    ensurePrometheus();
    outDir = await mkdtemp(join(tmpdir(), 'lab-dashboards-'));
    prometheus = await startPrometheus({ targets: [], port: 0, scrapeIntervalSec });
  }, 300_000);

  afterAll(async () => {
    await prometheus?.stop();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('finds data for every Prometheus query of every panel', async () => {
    const running = prometheus as RunningPrometheus;
    const request = parseCliArgs(['smoke', '--out', outDir], scenarios);
    if (request.kind !== 'run') throw new Error(`cannot build the smoke run: ${JSON.stringify(request)}`);
    const targets: ScrapeTarget[] = [];
    const register = async (job: string, address: string) => {
      targets.push({ job, address });
      await running.setTargets(targets);
    };
    const start = Date.now() / 1000;
    const outcome = await runScenario({
      ...request,
      repoRoot,
      enforceGates: false,
      signal: AbortSignal.timeout(240_000),
      metricsPort: 0,
      prometheusUrl: running.url,
      log: (line) => {
        log.push(line);
        const lab = /lab metrics at (http:\/\/\S+)/.exec(line)?.[1];
        if (lab) void register('lab', hostOf(lab));
      },
      startTarget: async (env, runId, logDir): Promise<Target> => {
        const target = await startLocalTarget({
          repoRoot,
          runId,
          logDir,
          env,
          log: (line) => log.push(line),
        });
        for (const [job, url] of Object.entries(target.metricsUrls)) await register(job, hostOf(url));
        return target;
      },
    });
    const end = Date.now() / 1000;
    // Any verdict will do (gates are the scenario's business); the run itself must have happened.
    expect(outcome.result, `${outcome.message}\n${log.slice(-30).join('\n')}`).toBeDefined();
    expect(targets.map((t) => t.job).sort()).toEqual(['api', 'lab', 'notifications', 'worker']);
    const alertGates = outcome.result?.gates.filter((g) => g.metric.startsWith('alerts.')) ?? [];
    expect(alertGates.map((g) => g.metric)).toEqual([
      'alerts.CircuitBreakerOpen.firedAfterMs',
      'alerts.CircuitBreakerOpen.resolvedAfterMs',
    ]);
    expect(alertGates.filter((g) => !g.passed)).toEqual([]);

    const queries = extractPromQueries(loadDashboards(), { variables });
    const outcomes = await evaluateQueries(running.url, queries, { start, end, stepSec: 2 });
    expect(outcomes.length).toBeGreaterThan(50);
    expect(describeEmpty(outcomes)).toEqual([]);
  }, 300_000);
});
