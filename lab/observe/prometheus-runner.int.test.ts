import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createNotificationsMetrics } from '../../system/notifications/notifications-metrics.ts';
import { createServiceMetrics } from '../../system/shared/metrics.ts';
import { createMetricsExposition } from '../../system/shared/metrics-exposition.ts';
import { prometheusTargets, queryPrometheus } from './prometheus-query.ts';
import { ensurePrometheus, startPrometheus, type RunningPrometheus } from './prometheus-runner.ts';

// A real Prometheus (Debian package) scraping a fake service that exposes the shared service metrics.
const metrics = createServiceMetrics('api');
let metricsServer: Server;
let metricsAddress: string;

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

beforeAll(async () => {
  ensurePrometheus();
  metricsServer = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    void metrics.registry
      .metrics()
      .then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text));
  });
  metricsServer.listen(0, '127.0.0.1');
  await once(metricsServer, 'listening');
  metricsAddress = `127.0.0.1:${(metricsServer.address() as AddressInfo).port}`;
}, 300_000);

afterAll(() => new Promise<void>((resolve) => metricsServer.close(() => resolve())));

describe('startPrometheus', () => {
  let prometheus: RunningPrometheus | undefined;
  afterAll(() => prometheus?.stop());

  it('scrapes the given targets so their metrics become queryable, then stops and cleans up', async () => {
    metrics.breakerState.set({ breaker: 'amqp' }, 1);
    prometheus = await startPrometheus({
      targets: [{ job: 'api', address: metricsAddress }],
      port: 0,
      scrapeIntervalSec: 1,
    });
    const { url } = prometheus;
    const value = await until(
      async () => {
        const { result } = await queryPrometheus(
          url,
          'circuit_breaker_state{service="api", breaker="amqp", job="api"}',
        );
        return result[0]?.value?.[1];
      },
      20_000,
      'the breaker gauge to be scraped',
    );
    expect(value).toBe('1');
    expect(await prometheusTargets(url)).toEqual([
      { job: 'api', instance: metricsAddress, health: 'up', lastError: '' },
    ]);
    await expect(queryPrometheus(url, 'sum(')).rejects.toThrow(/bad_data/);

    const configDir = dirname(prometheus.configPath);
    await prometheus.stop();
    expect(existsSync(configDir)).toBe(false);
    await expect(fetch(`${url}/-/ready`)).rejects.toThrow();
  }, 60_000);
});

describe('exemplars', () => {
  it('keeps the trace id a notification carried, beside its pipeline latency bucket, and every counter name', async () => {
    // The notifications service's metrics, served as the service serves them (OpenMetrics to Prometheus).
    const registry = new Registry();
    const notifications = createNotificationsMetrics(registry);
    const exposition = createMetricsExposition(registry);
    const traceId = 'b'.repeat(32);
    notifications.consumed.inc({ type: 'student.created', result: 'ok' });
    notifications.pipelineLatency.observe({
      labels: { transport: 'sse' },
      value: 0.042,
      exemplarLabels: { trace_id: traceId } as Record<string, string>,
    });
    const server = createServer((req, res) => {
      void exposition
        .render(req.headers.accept)
        .then(({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const prometheus = await startPrometheus({
      targets: [{ job: 'notifications', address }],
      port: 0,
      scrapeIntervalSec: 1,
    });
    try {
      const startedSec = Date.now() / 1000 - 60;
      const found = await until(
        async () => {
          const query = encodeURIComponent('notifications_pipeline_latency_seconds_bucket');
          const response = await fetch(
            `${prometheus.url}/api/v1/query_exemplars?query=${query}&start=${startedSec}&end=${Date.now() / 1000 + 60}`,
          );
          const body = (await response.json()) as {
            data?: { exemplars: { labels: Record<string, string> }[] }[];
          };
          const labels = (body.data ?? []).flatMap((series) =>
            series.exemplars.map((e) => e.labels.trace_id),
          );
          return labels.includes(traceId) ? labels : undefined;
        },
        20_000,
        'the exemplar to be stored',
      );
      expect(found).toContain(traceId);
      // The counter keeps its classic name through an OpenMetrics scrape.
      const { result } = await queryPrometheus(prometheus.url, 'notifications_consumed_total{result="ok"}');
      expect(result[0]?.value?.[1]).toBe('1');
    } finally {
      await prometheus.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);
});

describe('npm run observe', () => {
  it('prints the URL and its targets, serves them, and exits 0 on Ctrl-C leaving nothing running', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'lab/observe/observe-main.ts',
        '--port',
        '0',
        '--api',
        metricsAddress,
        '--scrape-interval',
        '1',
      ],
      { cwd: new URL('../../', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = once(child, 'exit');
    const output: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => output.push(line));
    try {
      const banner = await until(
        () => Promise.resolve(output.some((l) => l.includes('Ctrl-C')) ? output.join('\n') : undefined),
        30_000,
        'the banner',
      );
      const [, url = '', configPath = ''] = /Prometheus (http:\/\/\S+) \(config (\S+)\)/.exec(banner) ?? [];
      expect(banner).toContain(`scraping api            http://${metricsAddress}/metrics`);
      expect(banner).toContain('scraping lab            http://127.0.0.1:9464/metrics');
      // Target discovery runs just after /-/ready; wait for the first scrape of our fake api.
      const targets = await until(
        async () => {
          const found = await prometheusTargets(url);
          return found.some((t) => t.health === 'up') ? found : undefined;
        },
        15_000,
        'the first scrape',
      );
      expect(targets.map((t) => `${t.job} ${t.instance}`).sort()).toEqual([
        `api ${metricsAddress}`,
        'lab 127.0.0.1:9464',
        'notifications 127.0.0.1:5001',
        'worker 127.0.0.1:5002',
      ]);

      child.kill('SIGINT');
      await exited;
      expect(child.exitCode).toBe(0);
      await expect(fetch(`${url}/-/ready`)).rejects.toThrow();
      expect(existsSync(dirname(configPath))).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 12_000))]);
      }
    }
  }, 60_000);
});
