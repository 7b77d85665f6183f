import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpsRoutes } from './http-ops.ts';
import { createServiceMetrics } from './metrics.ts';
import type { Server } from 'node:http';

let server: Server;
let base: string;
let redisUp = true;

beforeAll(async () => {
  const metrics = createServiceMetrics('test');
  const app = express();
  app.use(
    createOpsRoutes({
      service: 'test',
      registry: metrics.registry,
      checks: [
        { name: 'db', required: true, check: () => Promise.resolve({ status: 'healthy' }) },
        {
          name: 'redis',
          required: false,
          check: () => (redisUp ? Promise.resolve({ status: 'healthy' }) : Promise.reject(new Error('down'))),
        },
      ],
    }),
  );
  server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((r) => server.close(r)));

describe('ops routes over real HTTP', () => {
  it('reports every dependency with its duration', async () => {
    const res = await fetch(`${base}/health`);
    const body = (await res.json()) as { status: string; entries: { name: string; durationMs: number }[] };
    expect(res.status).toBe(200);
    expect(body.status).toBe('healthy');
    expect(body.entries.map((e) => e.name)).toEqual(['db', 'redis']);
  });

  it('stays ready but degraded when an optional dependency is down', async () => {
    redisUp = false;
    const health = (await (await fetch(`${base}/health`)).json()) as { status: string };
    const ready = await fetch(`${base}/health/ready`);
    redisUp = true;
    expect(health.status).toBe('degraded');
    expect(ready.status).toBe(200);
  });

  it('serves Prometheus exposition with the service label', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await res.text()).toMatch(/process_cpu_user_seconds_total\{service="test"\}/);
  });
});
