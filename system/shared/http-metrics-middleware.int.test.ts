import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpMetricsMiddleware } from './http-metrics-middleware.ts';

const registry = new Registry();
const histogram = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'test',
  labelNames: ['method', 'route', 'status'],
  registers: [registry],
});
let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(httpMetricsMiddleware(histogram, { skip: (req) => req.path === '/stream' }));
  app.get('/items/:id', (req, res) => void res.status(req.params.id === 'x' ? 404 : 200).json({}));
  app.get('/stream', (_req, res) => void res.json({}));
  server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((r) => server.close(r)));

const count = async (labels: string) => {
  const text = await registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`http_request_duration_seconds_count{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

describe('HTTP duration middleware', () => {
  it('observes requests under their route pattern and status', async () => {
    await Promise.all(['1', '2', 'x'].map((id) => fetch(`${base}/items/${id}`).then((r) => r.arrayBuffer())));
    await fetch(`${base}/nowhere`).then((r) => r.arrayBuffer());
    expect(await count('method="GET",route="/items/:id",status="200"')).toBe(2);
    expect(await count('method="GET",route="/items/:id",status="404"')).toBe(1);
    expect(await count('method="GET",route="unmatched",status="404"')).toBe(1);
  });

  it('leaves out the requests it is told to skip', async () => {
    await fetch(`${base}/stream`).then((r) => r.arrayBuffer());
    expect(await registry.metrics()).not.toMatch(/route="\/stream"/);
  });
});
