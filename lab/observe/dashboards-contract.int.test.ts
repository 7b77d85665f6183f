import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiMetrics } from '../../system/api/api-metrics.ts';
import { createNotificationsMetrics } from '../../system/notifications/notifications-metrics.ts';
import { createServiceMetrics } from '../../system/shared/metrics.ts';
import { createOutboxMetrics } from '../../system/shared/outbox/outbox-metrics.ts';
import { createWorkerMetrics } from '../../system/worker/worker-metrics.ts';
import { startLabExporter, type LabExporter } from '../exporter/lab-metrics.ts';
import { describeEmpty, evaluateQueries } from './dashboard-data.ts';
import { extractPromQueries, loadDashboards } from './dashboard-queries.ts';
import { waitForTargetsUp } from './prometheus-query.ts';
import { ensurePrometheus, startPrometheus, type RunningPrometheus } from './prometheus-runner.ts';

// The dashboards against the metric definitions the code really registers: the services' own metric
// factories and the lab's exporter, every metric given one sample per documented label value (the
// values of metric-names.ts comments), scraped by a real Prometheus. Every panel query must find data.
// That the running system produces these series under load is dashboards-have-data.int.test.ts' job.
const labelValues: Record<string, string[]> = {
  method: ['GET'],
  route: ['/api/students/:id'],
  status: ['200', '503'],
  breaker: ['amqp'],
  from: ['closed'],
  to: ['open'],
  outcome: ['executed', 'coalesced', 'cached', 'bypass'],
  cache: ['student'],
  level: ['l1', 'l2'],
  result: ['hit', 'miss', 'error', 'ok', 'retried', 'dead_lettered', 'duplicate'],
  operation: ['getById'],
  producer: ['api'],
  exchange: ['students.events'],
  reason: ['unavailable'],
  type: ['student.updated'],
  transport: ['sse', 'socketio'],
};

function combinations(names: string[]): Record<string, string>[] {
  return names.reduce<Record<string, string>[]>(
    (acc, name) =>
      acc.flatMap((labels) => (labelValues[name] ?? ['x']).map((v) => ({ ...labels, [name]: v }))),
    [{}],
  );
}

/** One step of activity on every non-default metric of `registry`. */
function exercise(registry: Registry): void {
  for (const { name } of registry.getMetricsAsArray()) {
    if (/^(process|nodejs)_/.test(name)) continue;
    const metric = registry.getSingleMetric(name);
    const labelNames = (metric as unknown as { labelNames?: string[] }).labelNames ?? [];
    for (const labels of combinations(labelNames)) {
      if (metric instanceof Counter) metric.inc(labels, 1);
      else if (metric instanceof Gauge) metric.set(labels, 1);
      // A histogram with exemplars takes one object (labels, value, exemplar labels).
      else if (metric instanceof Histogram)
        if ((metric as unknown as { enableExemplars?: boolean }).enableExemplars)
          metric.observe({ labels, value: 0.02 });
        else metric.observe(labels, 0.02);
    }
  }
}

function serve(registry: Registry): Promise<Server> {
  const server = createServer((_req, res) => {
    void registry
      .metrics()
      .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
  });
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => server);
}

const address = (server: Server) => `127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('dashboards against the metrics the code registers', () => {
  const servers: Server[] = [];
  const registries: Registry[] = [];
  let lab: LabExporter;
  let prometheus: RunningPrometheus | undefined;
  let timer: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    ensurePrometheus();
    const worker = createServiceMetrics('worker');
    createWorkerMetrics(worker);
    createOutboxMetrics(worker.registry);
    const notifications = createServiceMetrics('notifications');
    createNotificationsMetrics(notifications.registry);
    lab = await startLabExporter({ scenario: 'contract', port: 0, warn: (m) => console.warn(m) });
    registries.push(createApiMetrics().registry, worker.registry, notifications.registry, lab.registry);
    lab.setPhase('steady', true);
    lab.setFault('rabbitmq-down', true);
    lab.setDedupeHitRatio(0.9);
    for (const transport of ['sse', 'socketio']) lab.setListeners(transport, 10);
    const tick = () => {
      registries.forEach(exercise);
      lab.countRequest(200, true);
      lab.observeLatency('http', 'http', 2_000);
      for (const transport of ['sse', 'socketio']) lab.observeLatency('notification', transport, 15_000);
    };
    tick();
    timer = setInterval(tick, 500);
    for (const registry of registries.slice(0, 3)) servers.push(await serve(registry));
    const labAddress = new URL(lab.url ?? '').host;
    const jobs = ['api', 'worker', 'notifications'];
    prometheus = await startPrometheus({
      targets: [
        ...servers.map((s, i) => ({ job: jobs[i] ?? '', address: address(s) })),
        { job: 'lab', address: labAddress },
      ],
      port: 0,
      scrapeIntervalSec: 1,
    });
  }, 300_000);

  afterAll(async () => {
    clearInterval(timer);
    await prometheus?.stop();
    await lab?.close();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('finds data for every Prometheus query of every panel', async () => {
    const url = prometheus?.url ?? '';
    await waitForTargetsUp(url, ['api', 'worker', 'notifications', 'lab'], 20_000);
    // rate() needs two samples; wait for a few scrapes after every target is up.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const end = Date.now() / 1000;
    const queries = extractPromQueries(loadDashboards());
    const outcomes = await evaluateQueries(url, queries, { start: end - 10, end, stepSec: 1 });
    expect(outcomes.length).toBe(queries.length);
    expect(describeEmpty(outcomes)).toEqual([]);
  }, 60_000);
});
