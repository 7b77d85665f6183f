import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { io as ioClient, type Socket } from 'socket.io-client';
import { defaultUrls } from '../../../contracts/default-urls.ts';
import { createEnvelope, type Envelope, type NotificationType } from '../../../contracts/envelope.ts';
import {
  createAmqpTestAdmin,
  testAmqpUrl,
  type AmqpTestAdmin,
} from '../../shared/testing/amqp-test-broker.ts';
import { notificationsConfigSchema, type NotificationsConfig } from '../config.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../events.ts';
import type { NotificationsService } from '../service.ts';
import { createNotificationsService } from '../service.ts';
import { waitFor } from '../../shared/testing/wait-for.ts';
import { publishOptionsFor } from '../../shared/amqp-publish.ts';
import { routes } from '../../../contracts/http.ts';

/** Test-only: a real notifications service on port 0, its own exchange and replay stream, and helpers. */
export interface NotificationsHarness {
  service: NotificationsService;
  config: NotificationsConfig;
  baseUrl: string;
  admin: AmqpTestAdmin;
  redis: Redis;
  /** Publishes one notification to the service's exchange, as the worker would. */
  publish(
    input?: Partial<Envelope> & { type?: NotificationType; studentId?: string; filler?: number },
  ): Envelope;
  publishRaw(body: string, routingKey?: string): void;
  socketClient(options?: { reconnection?: boolean }): Socket<ServerToClientEvents, ClientToServerEvents>;
  /** Resolves when `predicate` holds, polling every 20 ms, or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

export const redisTestUrl = process.env.REDIS_URL ?? defaultUrls.redis;

export function makeEnvelope(
  input: Partial<Envelope> & { type?: NotificationType; studentId?: string; filler?: number } = {},
): Envelope {
  const id = input.studentId ?? randomUUID();
  const now = new Date().toISOString();
  const { filler = 0 } = input;
  return createEnvelope({
    ...(input.messageId ? { messageId: input.messageId } : {}),
    type: input.type ?? 'student.created',
    correlationId: input.correlationId ?? randomUUID(),
    causationId: input.causationId ?? null,
    producer: input.producer ?? 'worker',
    occurredAt: input.occurredAt ? new Date(input.occurredAt) : undefined,
    payload: input.payload ?? {
      id,
      firstName: filler > 0 ? 'x'.repeat(filler) : 'Ada',
      lastName: 'Lovelace',
      email: `ada.${id}@example.test`,
      fullName: 'Ada Lovelace',
      updates: 0,
      created: now,
      createdBy: 'test',
      lastModified: now,
      lastModifiedBy: 'test',
    },
  });
}

export async function startHarness(overrides: Record<string, string> = {}): Promise<NotificationsHarness> {
  const admin = await createAmqpTestAdmin();
  const exchange = admin.exchangeName('notifications');
  const streamKey = `test:notifications:${randomBytes(4).toString('hex')}`;
  const config = notificationsConfigSchema.parse({
    PORT: '0',
    AMQP_URL: testAmqpUrl,
    REDIS_URL: redisTestUrl,
    NOTIFICATIONS_EXCHANGE: exchange,
    REPLAY_STREAM_KEY: streamKey,
    REPLAY_INDEX_TTL_SEC: '300',
    API_BASE_URL: 'http://127.0.0.1:1',
    ...overrides,
  });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const service = await createNotificationsService(config, logger);
  const port = await service.listen(0);
  const redis = new Redis(redisTestUrl);
  const baseUrl = `http://127.0.0.1:${port}`;
  const sockets = new Set<Socket>();

  const publishRaw = (body: string, routingKey = 'student.created') => {
    admin.channel.publish(exchange, routingKey, Buffer.from(body), { contentType: 'application/json' });
  };

  return {
    service,
    config,
    baseUrl,
    admin,
    redis,
    publish(input = {}) {
      const envelope = makeEnvelope(input);
      admin.channel.publish(
        exchange,
        envelope.type,
        Buffer.from(JSON.stringify(envelope)),
        publishOptionsFor(envelope),
      );
      return envelope;
    },
    publishRaw,
    socketClient({ reconnection = false } = {}) {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(baseUrl, {
        path: routes.socketIo,
        transports: ['websocket'],
        reconnection,
      });
      sockets.add(socket);
      return socket;
    },
    waitFor,
    async close() {
      for (const socket of sockets) socket.disconnect();
      await service.close();
      await admin.close();
      const keys = await redis.keys(`${streamKey}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** Port of a harness's HTTP server. */
export const portOf = (h: NotificationsHarness): number => Number(new URL(h.baseUrl).port);

/** Two instances as two notifications processes would be: one exchange, one replay stream, one Redis. */
export async function startSiblingHarnesses(): Promise<[NotificationsHarness, NotificationsHarness]> {
  const a = await startHarness();
  const b = await startHarness({
    NOTIFICATIONS_EXCHANGE: a.config.NOTIFICATIONS_EXCHANGE,
    REPLAY_STREAM_KEY: a.config.REPLAY_STREAM_KEY,
  });
  return [a, b];
}
