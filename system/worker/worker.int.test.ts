import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTombstone, studentCacheKey } from '../shared/cache-contract.ts';
import { createTcpGate, type TcpGate } from '../shared/testing/tcp-gate.ts';
import { failureHeaders } from './failure-policy.ts';
import { createWorkerService, type WorkerService } from './service.ts';
import type { WorkerStore } from './worker-store.ts';
import {
  createTestBroker,
  createTestDatabase,
  domainEvent,
  envelopeOf,
  headerOf,
  insertStudent,
  testLogger,
  testUrls,
  testWorkerConfig,
  updatesOf,
  type TestBroker,
  type TestDatabase,
} from './testing/worker-test-env.ts';

const retryDelaysMs = [100, 200];
let db: TestDatabase;
let broker: TestBroker;
let redis: Redis;
const services: WorkerService[] = [];
const gates: TcpGate[] = [];

async function startWorker(
  env: Record<string, string> = {},
  decorateStore?: (s: WorkerStore) => WorkerStore,
) {
  const config = testWorkerConfig({
    DATABASE_URL: db.url,
    WORKER_TOPOLOGY_PREFIX: broker.prefix,
    WORKER_RETRY_DELAYS_MS: retryDelaysMs.join(','),
    ...env,
  });
  const service = await createWorkerService(config, testLogger, { decorateStore });
  services.push(service);
  const baseUrl = `http://127.0.0.1:${await service.listen(0)}`;
  await broker.waitFor(() => consumerHealthy(baseUrl), 5_000, 'consumer connected');
  return { service, baseUrl };
}

/** The `amqp` entry of `/health`: whether the worker's consumer is connected right now. */
const consumerHealthy = async (baseUrl: string) => {
  const health = (await (await fetch(`${baseUrl}/health`)).json()) as {
    entries: { name: string; status: string }[];
  };
  return health.entries.find((e) => e.name === 'amqp')?.status === 'healthy';
};

const stopAll = async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
};

const notificationsFor = (causationId: string) =>
  broker.notifications.map(envelopeOf).filter((e) => e.causationId === causationId);

const metricValue = async (service: WorkerService, name: string, labels: Record<string, string>) => {
  const metric = await service.testing.registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return match?.value ?? 0;
};

beforeAll(async () => {
  db = await createTestDatabase();
  broker = await createTestBroker(retryDelaysMs);
  redis = new Redis(testUrls.redis);
});
afterAll(async () => {
  await stopAll();
  await Promise.all(gates.map((g) => g.close()));
  await broker.close();
  await db.drop();
  redis.disconnect();
});

describe('worker against PostgreSQL, RabbitMQ and Redis', () => {
  it('increments once, caches, and notifies created then cached for the same messageId sent twice', async () => {
    const { service } = await startWorker();
    const id = await insertStudent(db.pool);
    const event = domainEvent('student.created', id);
    broker.publishEvent(event);
    broker.publishEvent(event);
    await broker.waitFor(() => notificationsFor(event.messageId).length >= 2, 10_000, 'notifications');
    const duplicates = () => metricValue(service, 'worker_messages_total', { result: 'duplicate' });
    await broker.waitFor(async () => (await duplicates()) === 1, 5_000, 'the duplicate');
    expect((await updatesOf(db.pool, [id])).get(id)).toBe(1);
    const sent = notificationsFor(event.messageId);
    expect(sent.map((n) => n.type)).toEqual(['student.created', 'student.cached']);
    for (const n of sent) {
      expect(n.correlationId).toBe(event.correlationId);
      expect(n.producer).toBe('worker');
      expect(n.payload).toMatchObject({ id, updates: 1 });
    }
    expect(sent[0]!.occurredAt).toBe(event.occurredAt);
    const cached = JSON.parse((await redis.get(studentCacheKey(id))) ?? '{}') as { updates?: number };
    expect(cached.updates).toBe(1);
    expect(
      await metricValue(service, 'worker_messages_total', { type: 'student.created', result: 'ok' }),
    ).toBe(1);
    expect(
      await metricValue(service, 'worker_messages_total', { type: 'student.created', result: 'duplicate' }),
    ).toBe(1);
    await stopAll();
  });

  it('evicts the cache and notifies student.deleted once', async () => {
    await startWorker();
    const id = randomUUID();
    await redis.set(studentCacheKey(id), JSON.stringify({ id, updates: 3 }), 'EX', 60);
    const event = domainEvent('student.deleted', id);
    broker.publishEvent(event);
    broker.publishEvent(event);
    await broker.waitFor(() => notificationsFor(event.messageId).length >= 1, 10_000, 'student.deleted');
    expect(isTombstone(JSON.parse((await redis.get(studentCacheKey(id))) ?? 'null'))).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const sent = notificationsFor(event.messageId);
    expect(sent.map((n) => [n.type, n.payload])).toEqual([['student.deleted', { id }]]);
    await stopAll();
  });

  it('dead-letters a malformed, schema-invalid or unknown-type message within a second, with the reason in a header', async () => {
    await startWorker();
    const before = broker.deadLetters.length;
    const sentAt = Date.now();
    broker.publishRaw('{"not": "an envelope"');
    await broker.waitFor(() => broker.deadLetters.length > before, 1_000, 'the dead letter');
    expect(Date.now() - sentAt).toBeLessThan(1_000);
    const dead = broker.deadLetters.at(-1)!;
    expect(String(headerOf(dead, failureHeaders.reason))).toMatch(/not JSON/);
    expect(headerOf(dead, failureHeaders.kind)).toBe('malformed');
    expect(headerOf(dead, failureHeaders.attempts)).toBe(1);

    broker.publishRaw(JSON.stringify({ messageId: 'm-1', type: 'student.created', payload: {} }));
    await broker.waitFor(
      () => broker.deadLetters.length > before + 1,
      1_000,
      'the schema-invalid dead letter',
    );
    expect(String(headerOf(broker.deadLetters.at(-1)!, failureHeaders.reason))).toMatch(/envelope invalid/);

    broker.publishEvent(domainEvent('student.deleted', randomUUID(), { type: 'student.cached' }));
    await broker.waitFor(() => broker.deadLetters.length > before + 2, 1_000, 'the unknown-type dead letter');
    expect(headerOf(broker.deadLetters.at(-1)!, failureHeaders.kind)).toBe('unknown_type');
    await stopAll();
  });

  it('retries a failing message through the delay queues and dead-letters it after exactly 3 attempts', async () => {
    const calls = new Map<string, number[]>();
    await startWorker({ WORKER_MAX_ATTEMPTS: '3' }, (store) => ({
      ...store,
      applyUpdate: (input) => {
        calls.set(input.messageId, [...(calls.get(input.messageId) ?? []), Date.now()]);
        return Promise.reject(new Error('simulated transient failure'));
      },
    }));
    const before = broker.deadLetters.length;
    const event = domainEvent('student.updated', randomUUID());
    broker.publishEvent(event);
    await broker.waitFor(() => broker.deadLetters.length > before, 10_000, 'the dead letter');
    await new Promise((r) => setTimeout(r, 500));
    const times = calls.get(event.messageId) ?? [];
    expect(times).toHaveLength(3);
    // Delay queues, not a hot loop: ≥ 100 ms, then ≥ 200 ms between attempts.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(90);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(190);
    const dead = broker.deadLetters.at(-1)!;
    expect(dead.properties.messageId).toBe(event.messageId);
    expect(headerOf(dead, failureHeaders.attempts)).toBe(3);
    expect(headerOf(dead, failureHeaders.kind)).toBe('attempts_exhausted');
    expect(String(headerOf(dead, failureHeaders.reason))).toMatch(/simulated transient failure/);
    expect(broker.deadLetters.length).toBe(before + 1);
    await stopAll();
  });

  it('processes and notifies while Redis is unreachable, counting the skipped cache steps', async () => {
    const [host, port] = [new URL(testUrls.redis).hostname, Number(new URL(testUrls.redis).port || 6379)];
    const gate = await createTcpGate({ target: { host, port } });
    gates.push(gate);
    gate.cut({ mode: 'refuse' });
    const { service } = await startWorker({ REDIS_URL: `redis://127.0.0.1:${gate.port}` });
    const ids = await Promise.all([1, 2, 3].map(() => insertStudent(db.pool)));
    const events = ids.map((id) => domainEvent('student.created', id));
    for (const e of events) broker.publishEvent(e);
    await broker.waitFor(
      () => events.every((e) => notificationsFor(e.messageId).length === 2),
      10_000,
      'notifications',
    );
    expect([...(await updatesOf(db.pool, ids)).values()]).toEqual([1, 1, 1]);
    const skipped = await service.testing.registry.getSingleMetric('worker_cache_skipped_total')?.get();
    expect(skipped?.values.reduce((sum, v) => sum + v.value, 0)).toBe(3);
    expect(await redis.exists(...ids.map(studentCacheKey))).toBe(0);
    await stopAll();
  });

  it('resumes by itself after RabbitMQ is cut and restored', async () => {
    const url = new URL(testUrls.amqp);
    const gate = await createTcpGate({ target: { host: url.hostname, port: Number(url.port || 5672) } });
    gates.push(gate);
    url.hostname = '127.0.0.1';
    url.port = String(gate.port);
    const { service, baseUrl } = await startWorker({ AMQP_URL: url.toString() });
    const first = await insertStudent(db.pool);
    const firstEvent = domainEvent('student.created', first);
    broker.publishEvent(firstEvent);
    await broker.waitFor(() => notificationsFor(firstEvent.messageId).length === 2, 10_000, 'first');

    gate.cut({ mode: 'refuse' });
    await broker.waitFor(async () => !(await consumerHealthy(baseUrl)), 15_000, 'the disconnect');
    expect(await metricValue(service, 'worker_consumer_connected', {})).toBe(0);
    const second = await insertStudent(db.pool);
    const secondEvent = domainEvent('student.updated', second);
    broker.publishEvent(secondEvent);
    await new Promise((r) => setTimeout(r, 500));
    expect((await updatesOf(db.pool, [second])).get(second)).toBe(0);

    gate.restore();
    await broker.waitFor(() => consumerHealthy(baseUrl), 15_000, 'the reconnect');
    await broker.waitFor(() => notificationsFor(secondEvent.messageId).length === 2, 15_000, 'second');
    expect((await updatesOf(db.pool, [second])).get(second)).toBe(1);
    expect(await metricValue(service, 'worker_consumer_connected', {})).toBe(1);
    await stopAll();
  });

  it('serves health and the worker metrics over HTTP', async () => {
    const { baseUrl: base } = await startWorker();
    try {
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      const health = (await (await fetch(`${base}/health`)).json()) as { entries: { name: string }[] };
      expect(health.entries.map((e) => e.name)).toEqual(['db', 'amqp', 'redis', 'outbox', 'breakers']);
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      const id = await insertStudent(db.pool);
      const event = domainEvent('student.created', id);
      broker.publishEvent(event);
      await broker.waitFor(() => notificationsFor(event.messageId).length === 2, 10_000, 'notifications');
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(
        /worker_messages_total\{type="student.created",result="ok",service="worker"\} 1/,
      );
      expect(metrics).toMatch(/worker_consumer_connected\{service="worker"\} 1/);
      expect(metrics).toMatch(
        /worker_processing_duration_seconds_count\{(?=[^}]*type="student.created")[^}]*\} 1\n/,
      );
      expect(metrics).toMatch(/circuit_breaker_state\{breaker="db",service="worker"\} 0/);
      expect(metrics).toContain('worker_cache_skipped_total');
    } finally {
      await stopAll();
    }
  });
});
