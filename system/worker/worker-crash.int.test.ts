import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestBroker,
  createTestDatabase,
  domainEvent,
  envelopeOf,
  insertStudent,
  testUrls,
  type TestBroker,
  type TestDatabase,
} from './testing/worker-test-env.ts';

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url));
const students = 100;
const eventsPerStudent = 5;
let db: TestDatabase;
let broker: TestBroker;
const children = new Set<ChildProcess>();

/** The real worker process (main.ts), as the lab and `npm run system` start it. */
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', mainPath], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      AMQP_URL: testUrls.amqp,
      REDIS_URL: testUrls.redis,
      PORT: '0',
      LOG_LEVEL: 'error',
      WORKER_TOPOLOGY_PREFIX: broker.prefix,
      WORKER_PREFETCH: '10',
    },
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

const totalUpdates = async () =>
  Number(
    (await db.pool.query<{ n: string }>('select coalesce(sum(updates), 0) as n from students')).rows[0]?.n,
  );

beforeAll(async () => {
  db = await createTestDatabase();
  broker = await createTestBroker([1000, 5000, 15000, 30000]);
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await broker.close();
  await db.drop();
});

describe('worker process killed (SIGKILL) and stopped (SIGTERM) mid-stream', () => {
  it('leaves every student with the exact updates and every notification published after restarts', async () => {
    const first = spawnWorker();
    await broker.waitFor(
      async () => (await broker.consumerCount(broker.names.workerQueue)) === 1,
      20_000,
      'worker up',
    );
    const ids = await Promise.all(Array.from({ length: students }, () => insertStudent(db.pool)));
    const events = ids.flatMap((id) => [
      domainEvent('student.created', id),
      ...Array.from({ length: eventsPerStudent - 1 }, () => domainEvent('student.updated', id)),
    ]);
    for (const event of events) broker.publishEvent(event);

    await broker.waitFor(async () => (await totalUpdates()) >= 100, 20_000, '100 events processed');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const atKill = await totalUpdates();
    expect(atKill).toBeLessThan(events.length);

    // SIGTERM mid-stream: stops taking messages, finishes and acks the in-flight ones, exits 0.
    const second = spawnWorker();
    await broker.waitFor(async () => (await totalUpdates()) >= atKill + 100, 30_000, '100 more events');
    const exited = new Promise<number | null>((resolve) => second.once('exit', (code) => resolve(code)));
    const termAt = Date.now();
    second.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(17_000);
    expect(await totalUpdates()).toBeLessThan(events.length);

    spawnWorker();
    await broker.waitFor(async () => (await totalUpdates()) >= events.length, 30_000, 'all events processed');
    const expected = new Set(
      events.flatMap((e) => [`${e.messageId}/${e.type}`, `${e.messageId}/student.cached`]),
    );
    const seen = () => new Set(broker.notifications.map(envelopeOf).map((n) => `${n.causationId}/${n.type}`));
    await broker.waitFor(() => seen().size >= expected.size, 20_000, 'every notification');
    await new Promise((r) => setTimeout(r, 500));

    const updates = await db.pool.query<{ updates: number }>('select updates from students');
    expect(updates.rows.map((r) => r.updates)).toEqual(
      Array.from({ length: students }, () => eventsPerStudent),
    );
    const unfinished = await db.pool.query(
      "select count(*)::int as n from processed_messages where stage <> 'done'",
    );
    expect(unfinished.rows[0]).toEqual({ n: 0 });
    expect([...seen()].filter((k) => !expected.has(k))).toEqual([]);
    expect(seen().size).toBe(events.length * 2);
    // Redelivered relay batches may repeat a notification, always under the same messageId.
    const ids2 = broker.notifications.map((m) => m.properties.messageId as string);
    expect(new Set(ids2).size).toBe(events.length * 2);
    console.info(`killed at ${atKill}/${events.length} events; notifications received ${ids2.length}`);
  });
});
