import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Student } from '../../contracts/envelope.ts';
import type { HealthReport } from '../shared/health.ts';
import { metricNames } from '../../contracts/service-metrics.ts';
import { createTcpGate, type TcpGate } from '../shared/testing/tcp-gate.ts';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { jsonHeaders, startTestApi, studentBody, type TestApi } from './testing/api-harness.ts';

let redisGate: TcpGate;
let api: TestApi;

beforeAll(async () => {
  const redis = new URL(process.env.REDIS_URL ?? defaultUrls.redis);
  redisGate = await createTcpGate({ target: { host: redis.hostname, port: Number(redis.port || 6379) } });
  redis.hostname = '127.0.0.1';
  redis.port = String(redisGate.port);
  api = await startTestApi({
    REDIS_URL: redis.toString(),
    REDIS_BREAKER_HALF_OPEN_MS: '500',
    CACHE_L1_TTL_MS: '0',
  });
});
afterAll(async () => {
  await api?.close();
  await redisGate?.close();
});

const entry = (report: HealthReport, name: string) => report.entries.find((e) => e.name === name);

describe('health endpoints', () => {
  it('reports every dependency with status and duration, and readiness and liveness', async () => {
    const res = await fetch(`${api.url}/health`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as HealthReport;
    expect(report.entries.map((e) => e.name).sort()).toEqual(['amqp', 'breakers', 'db', 'outbox', 'redis']);
    for (const e of report.entries) expect(typeof e.durationMs).toBe('number');
    expect(entry(report, 'outbox')?.details).toMatchObject({ pending: expect.any(Number) as number });
    expect(entry(report, 'breakers')?.details).toEqual({ amqp: 'closed', redis: 'closed' });
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
    expect(((await (await fetch(`${api.url}/health/live`)).json()) as { status: string }).status).toBe(
      'healthy',
    );
  });
});

describe('Redis outage', () => {
  it('serves reads from the database and reports redis unhealthy while still ready', async () => {
    const created = await fetch(`${api.url}/api/students`, {
      method: 'POST',
      headers: jsonHeaders,
      body: JSON.stringify(studentBody('redis')),
    });
    const student = (await created.json()) as Student;
    redisGate.cut({ mode: 'refuse' });
    const errorsBefore = await api.counter(metricNames.cacheRequests, { level: 'l2', result: 'error' });
    const started = performance.now();
    const res = await fetch(`${api.url}/api/students/${student.id}`, {
      headers: { authorization: 'Bearer redis-down' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Student).id).toBe(student.id);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await api.counter(metricNames.cacheRequests, { level: 'l2', result: 'error' })).toBeGreaterThan(
      errorsBefore,
    );
    const health = (await (await fetch(`${api.url}/health`)).json()) as HealthReport;
    expect(entry(health, 'redis')?.status).toBe('unhealthy');
    expect(health.status).toBe('degraded');
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
    const put = await fetch(`${api.url}/api/students/${student.id}`, {
      method: 'PUT',
      headers: jsonHeaders,
      body: JSON.stringify({ ...studentBody('redis'), firstName: 'StillWrites' }),
    });
    expect(put.status).toBe(200);
    redisGate.restore();
  });
});
