import { randomBytes, randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import pg from 'pg';
import { defaultUrls } from '../../../contracts/default-urls.ts';
import { createEnvelope, type DomainEventType, type Envelope } from '../../../contracts/envelope.ts';
import { createLogger } from '../../shared/logger.ts';
import { migrate } from '../../shared/migrate.ts';
import { loadWorkerConfig, type WorkerConfig } from '../config.ts';
import { createPostgresPool } from '../../shared/postgres-pool.ts';
import { waitFor } from '../../shared/testing/wait-for.ts';
import { publishOptionsFor } from '../../shared/amqp-publish.ts';
import {
  workerRetryQueueName,
  workerTopologyNames,
  type WorkerTopologyNames,
} from '../../../contracts/topology.ts';

/** Test-only: a fresh database, unique topology names and a notification collector per test file. */
export const testUrls = {
  database: process.env.DATABASE_URL ?? defaultUrls.database,
  amqp: process.env.AMQP_URL ?? defaultUrls.amqp,
  redis: process.env.REDIS_URL ?? defaultUrls.redis,
};

export const testLogger = createLogger({
  service: 'worker-test',
  level: process.env.TEST_LOG_LEVEL ?? 'silent',
});

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** `create database lab_test_<random>`, migrated; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `lab_test_worker_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testUrls.database });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(testUrls.database);
  url.pathname = `/${name}`;
  await migrate({ databaseUrl: url.toString() });
  const pool = createPostgresPool({ connectionString: url.toString(), max: 4 });
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: testUrls.database });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Inserts a student with `updates` = 0, as the API would; returns its id. */
export async function insertStudent(pool: pg.Pool, id: string = randomUUID()): Promise<string> {
  await pool.query(
    `insert into students (id, first_name, last_name, email, created_by, last_modified_by)
     values ($1, 'Ada', 'Lovelace', 'ada@example.com', 'test', 'test')`,
    [id],
  );
  return id;
}

export async function updatesOf(pool: pg.Pool, ids: string[]): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ id: string; updates: number }>(
    'select id, updates from students where id = any($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.updates]));
}

/** A domain event as the API's relay publishes it. */
export function domainEvent(
  type: DomainEventType,
  studentId: string,
  extra: Partial<Envelope> = {},
): Envelope {
  const payload =
    type === 'student.deleted'
      ? { id: studentId }
      : {
          id: studentId,
          firstName: 'Ada',
          lastName: 'Lovelace',
          email: 'ada@example.com',
          fullName: 'Ada Lovelace',
          updates: 0,
          created: new Date().toISOString(),
          createdBy: 'test',
          lastModified: new Date().toISOString(),
          lastModifiedBy: 'test',
        };
  return { ...createEnvelope({ type, correlationId: randomUUID(), producer: 'api', payload }), ...extra };
}

export interface TestBroker {
  names: WorkerTopologyNames;
  prefix: string;
  channel: Channel;
  /** Messages received on a private queue bound `#` to the (prefixed) notifications exchange. */
  notifications: ConsumeMessage[];
  /** Messages received from the worker's DLQ. */
  deadLetters: ConsumeMessage[];
  publishEvent(event: Envelope): void;
  publishRaw(content: string, routingKey?: string): void;
  /** Consumers on a queue; 0 when the queue does not exist yet. */
  consumerCount(queue: string): Promise<number>;
  /** Resolves when `predicate` holds, polling every 20 ms; rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/** Declares nothing of the worker's own; collects what it publishes; deletes everything under the prefix. */
export async function createTestBroker(retryDelaysMs: readonly number[]): Promise<TestBroker> {
  const prefix = `test.${randomBytes(4).toString('hex')}`;
  const names = workerTopologyNames(prefix);
  const model: ChannelModel = await connect(testUrls.amqp);
  model.on('error', () => undefined);
  const channel = await model.createChannel();
  await channel.assertExchange(names.studentsExchange, 'topic', { durable: true });
  await channel.assertExchange(names.notificationsExchange, 'topic', { durable: true });
  await channel.assertExchange(names.studentsDeadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(names.workerDeadLetterQueue, { durable: true });
  await channel.bindQueue(names.workerDeadLetterQueue, names.studentsDeadLetterExchange, '');
  const notificationQueue = `${prefix}.notifications.observer`;
  await channel.assertQueue(notificationQueue, { durable: false });
  await channel.bindQueue(notificationQueue, names.notificationsExchange, '#');
  const notifications: ConsumeMessage[] = [];
  const deadLetters: ConsumeMessage[] = [];
  await channel.consume(notificationQueue, (m) => m && notifications.push(m), { noAck: true });
  await channel.consume(names.workerDeadLetterQueue, (m) => m && deadLetters.push(m), { noAck: true });

  return {
    names,
    prefix,
    channel,
    notifications,
    deadLetters,
    publishEvent: (event) =>
      void channel.publish(
        names.studentsExchange,
        event.type,
        Buffer.from(JSON.stringify(event)),
        publishOptionsFor(event),
      ),
    publishRaw: (content, routingKey = 'student.created') =>
      void channel.publish(names.studentsExchange, routingKey, Buffer.from(content), {
        messageId: randomUUID(),
      }),
    async consumerCount(queue) {
      const ch = await model.createChannel();
      ch.on('error', () => undefined);
      const reply = await ch.checkQueue(queue).catch(() => undefined);
      await ch.close().catch(() => undefined);
      return reply?.consumerCount ?? 0;
    },
    waitFor,
    async close() {
      const queues = [
        notificationQueue,
        names.workerQueue,
        names.workerDeadLetterQueue,
        ...retryDelaysMs.map((d) => workerRetryQueueName(names, d)),
      ];
      const exchanges = [
        names.studentsExchange,
        names.notificationsExchange,
        names.studentsDeadLetterExchange,
      ];
      for (const [kind, name] of [...queues.map((q) => ['q', q]), ...exchanges.map((e) => ['e', e])]) {
        const ch = await model.createChannel();
        ch.on('error', () => undefined);
        await (kind === 'q' ? ch.deleteQueue(name!) : ch.deleteExchange(name!)).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
      await model.close().catch(() => undefined);
    },
  };
}

/** Worker configuration for a test: its database and prefix, fast retries, a 3 s drain on close. */
export function testWorkerConfig(env: Record<string, string>): WorkerConfig {
  return loadWorkerConfig({
    DATABASE_URL: testUrls.database,
    AMQP_URL: testUrls.amqp,
    REDIS_URL: testUrls.redis,
    PORT: '0',
    WORKER_MAX_ATTEMPTS: '3',
    WORKER_RETRY_DELAYS_MS: '100,200',
    BREAKER_HALF_OPEN_AFTER_MS: '500',
    WORKER_SHUTDOWN_TIMEOUT_MS: '3000',
    ...env,
  });
}

export const headerOf = (message: ConsumeMessage, name: string): unknown =>
  message.properties.headers?.[name];
export const envelopeOf = (message: ConsumeMessage): Envelope =>
  JSON.parse(message.content.toString()) as Envelope;
