import { createPostgresPool } from '../shared/postgres-pool.ts';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, studentBody, jsonHeaders, type TestApi } from '../api/testing/api-harness.ts';
import { createWorkerService, type WorkerService } from './service.ts';
import {
  createTestBroker,
  envelopeOf,
  testLogger,
  testWorkerConfig,
  type TestBroker,
} from './testing/worker-test-env.ts';
import { topology } from '../../contracts/topology.ts';

let api: TestApi;
let broker: TestBroker;
let worker: WorkerService;
let pool: pg.Pool;

beforeAll(async () => {
  api = await startTestApi();
  broker = await createTestBroker([1_000]);
  // The API publishes to the real `students.events`; the worker's queue and everything it
  // publishes to are this file's own (other engineers' events that reach the queue are skipped:
  // their students are not in this database).
  const names = { ...broker.names, studentsExchange: topology.studentsExchange };
  const config = testWorkerConfig({ DATABASE_URL: api.database.url, WORKER_RETRY_DELAYS_MS: '1000' });
  worker = await createWorkerService(config, testLogger, { names });
  await worker.listen(0);
  const connected = async () =>
    (await worker.testing.registry.getSingleMetric('worker_consumer_connected')?.get())?.values[0]?.value ===
    1;
  await broker.waitFor(connected, 5_000, 'worker connected');
  pool = createPostgresPool({ connectionString: api.database.url, max: 2 });
});
afterAll(async () => {
  await worker?.close();
  await pool?.end();
  await api?.close();
  await broker?.close();
});

describe('API and worker together', () => {
  it("after POST /api/students the student's updates is 1 and one created and one cached notification carry the correlation id", async () => {
    const correlationId = `e2e-${randomUUID()}`;
    const response = await fetch(`${api.url}/api/students`, {
      method: 'POST',
      headers: { ...jsonHeaders, 'x-correlation-id': correlationId },
      body: JSON.stringify(studentBody('e2e')),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const mine = () => broker.notifications.map(envelopeOf).filter((n) => n.correlationId === correlationId);
    await broker.waitFor(() => mine().length >= 2, 15_000, 'the notifications');
    await new Promise((r) => setTimeout(r, 500));

    expect(mine().map((n) => n.type)).toEqual(['student.created', 'student.cached']);
    for (const n of mine()) expect(n.payload).toMatchObject({ id, updates: 1 });
    const row = await pool.query<{ updates: number }>('select updates from students where id = $1', [id]);
    expect(row.rows[0]?.updates).toBe(1);
    const read = await fetch(`${api.url}/api/students/${id}`);
    expect(((await read.json()) as { updates: number }).updates).toBe(1);
  });
});
