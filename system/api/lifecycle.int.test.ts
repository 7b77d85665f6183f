import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Student } from '../../contracts/envelope.ts';
import { metricNames } from '../../contracts/service-metrics.ts';
import { createTcpGate, type TcpGate } from '../shared/testing/tcp-gate.ts';
import { createTestDatabase, type TestDatabase } from './testing/postgres-test-database.ts';
import { inBatches, jsonHeaders, startTestApi, studentBody, type TestApi } from './testing/api-harness.ts';

let database: TestDatabase;
let dbGate: TcpGate;
let api: TestApi;

beforeAll(async () => {
  database = await createTestDatabase();
  const url = new URL(database.url);
  dbGate = await createTcpGate({ target: { host: url.hostname, port: Number(url.port || 5432) } });
  url.hostname = '127.0.0.1';
  url.port = String(dbGate.port);
  api = await startTestApi({ DATABASE_URL: url.toString() }, { database });
});
afterAll(async () => {
  await api?.close();
  await dbGate?.close();
  await database?.drop();
});

describe('API lifecycle', () => {
  it('is not ready while the database is unreachable, and ready again after', async () => {
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
    dbGate.cut({ mode: 'refuse' });
    const down = await fetch(`${api.url}/health/ready`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { ready: boolean }).ready).toBe(false);
    const read = await fetch(`${api.url}/api/students?limit=1`);
    expect(read.status).toBeGreaterThanOrEqual(500);
    expect(read.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    dbGate.restore();
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
  });

  it('finishes requests in flight when it shuts down, then refuses new ones', async () => {
    const students = await inBatches(20, 5, async (i) => {
      const res = await fetch(`${api.url}/api/students`, {
        method: 'POST',
        headers: jsonHeaders,
        body: JSON.stringify(studentBody(`sd-${i}`)),
      });
      return (await res.json()) as Student;
    });
    // Hold the reads at the database so they are surely in flight when shutdown begins.
    const missesBefore = await api.counter(metricNames.cacheRequests, { level: 'l1', result: 'miss' });
    dbGate.cut({ mode: 'blackhole' });
    const inFlight = students.map((s) => fetch(`${api.url}/api/students/${s.id}`));
    // Every GET is for a different uncached student: one L1 miss each once the server has parsed it.
    const received = () => api.counter(metricNames.cacheRequests, { level: 'l1', result: 'miss' });
    for (let i = 0; i < 200 && (await received()) - missesBefore < students.length; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await received()) - missesBefore).toBe(students.length);
    let closed = false;
    const closing = api.service.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(closed).toBe(false);
    dbGate.restore();
    const statuses = (await Promise.all(inFlight)).map((r) => r.status);
    await closing;
    expect(statuses.every((s) => s === 200)).toBe(true);
    await expect(fetch(`${api.url}/health/live`)).rejects.toThrow();
  });
});
