import { randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { AmqpConsumer } from '../shared/amqp-consumer.ts';
import type { HealthCheck } from '../shared/health.ts';
import { listenHttp } from '../shared/http-lifecycle.ts';
import { createJourneyLog } from '../shared/journey-log.ts';
import type { Logger } from '../shared/logger.ts';
import { createServiceMetrics } from '../shared/metrics.ts';
import { countCommands } from '../shared/redis-command-counting.ts';
import { closeInOrder, type Service } from '../shared/service-lifecycle.ts';
import { acceptRequestTarget } from '../shared/request-target.ts';
import {
  applyHttpServerLimits,
  httpServerLimitsOf,
  httpServerOptions,
} from '../shared/http-server-limits.ts';
import { createOriginPolicy } from '../shared/origin-policy.ts';
import { createNotificationConsumer } from './amqp-notification-consumer.ts';
import { createApp } from './app.ts';
import { createSseRoute } from './sse-route.ts';
import { createBroadcaster } from './broadcaster.ts';
import type { NotificationsConfig } from './config.ts';
import { createNotificationsMetrics } from './notifications-metrics.ts';
import { createRedisReplayStore } from './redis-replay-store.ts';
import { createRedisSocketSessions } from './redis-socket-sessions.ts';
import { createSocketRecovery } from './socket-recovery.ts';
import { createSocketServer, type SocketServer } from './socket-server.ts';
import { createSseHub, type SseHub } from './sse.ts';

const instanceId = () => `${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}`;

function healthChecks(consumer: AmqpConsumer, redis: Redis): HealthCheck[] {
  return [
    {
      name: 'amqp',
      required: true,
      check: () =>
        Promise.resolve({
          status: consumer.connected() ? 'healthy' : 'unhealthy',
          details: { state: consumer.state() },
        }),
    },
    {
      // Without Redis live delivery goes on; only replay after reconnect is lost.
      name: 'redis',
      required: false,
      check: async () => ({ status: (await redis.ping()) === 'PONG' ? 'healthy' : 'unhealthy' }),
    },
  ];
}

/**
 * A deep accept queue: a reconnect storm of thousands of clients arrives within a second, and with
 * Node's default backlog (511) the kernel drops the rest, whose SYN retries back off for seconds
 * (the kernel caps it at net.core.somaxconn).
 */
const listenBacklog = 8192;

/**
 * Connects Redis (replay; the service runs without it) and builds the HTTP server, both transports
 * and the consumer; `listen` binds the port, then starts consuming this instance's own queue.
 */
/** The service, plus the parts integration tests look into (never used by the service itself). */
export interface NotificationsService extends Service {
  testing: {
    server: HttpServer;
    sse: SseHub;
    consumer: AmqpConsumer;
    socket: SocketServer;
  };
}

export async function createNotificationsService(
  config: NotificationsConfig,
  logger: Logger,
): Promise<NotificationsService> {
  // Thousands of connections: no default metric whose scrape walks every one of them.
  const serviceMetrics = createServiceMetrics('notifications', { perConnectionMetrics: false });
  const origins = createOriginPolicy(config.CORS_ORIGINS);
  const limits = httpServerLimitsOf(config);
  const metrics = createNotificationsMetrics(serviceMetrics.registry);
  const redis = countCommands(
    new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true }),
    serviceMetrics.redisCommands,
  );
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  await redis.connect().catch((error: unknown) => logger.warn({ err: error }, 'redis unavailable at start'));
  const replay = createRedisReplayStore({
    redis,
    streamKey: config.REPLAY_STREAM_KEY,
    maxLen: config.REPLAY_MAX_LEN,
    indexTtlSec: config.REPLAY_INDEX_TTL_SEC,
  });
  const sse = createSseHub({
    replay,
    metrics,
    logger,
    heartbeatMs: config.HEARTBEAT_MS,
    retryMs: config.SSE_RETRY_MS,
    maxBufferedBytes: config.CLIENT_MAX_BUFFER_BYTES,
    drainTimeoutMs: config.CLIENT_DRAIN_TIMEOUT_MS,
  });
  // Filled once the consumer exists; the ops routes read the list on every request.
  const checks: HealthCheck[] = [];
  const journey = createJourneyLog(config.JOURNEY_LOG_SIZE);
  const app = createApp({
    sse,
    registry: serviceMetrics.registry,
    httpDuration: serviceMetrics.httpDuration,
    checks,
    apiBaseUrl: config.API_BASE_URL,
    logger,
    origins,
    journeys: journey,
  });
  // Express is attached before Socket.IO, so engine.io can take its own path away from it.
  // The request target is checked before express parses it (absolute-form, unparseable URLs).
  const sseRoute = createSseRoute({ sse, origins });
  const server = createServer(httpServerOptions(limits), (req, res) => {
    if (acceptRequestTarget(req, res) && !sseRoute(req, res)) void app(req, res);
  });
  applyHttpServerLimits(server, limits);
  const recovery = createSocketRecovery({
    sessions: createRedisSocketSessions({
      redis,
      streamKey: config.REPLAY_STREAM_KEY,
      ttlMs: config.SOCKETIO_MAX_DISCONNECTION_MS,
    }),
    replay,
    onError: (error, what) => logger.warn({ err: error, what }, 'Socket.IO session recovery failed'),
  });
  const socket = createSocketServer(server, {
    metrics,
    logger,
    maxDisconnectionMs: config.SOCKETIO_MAX_DISCONNECTION_MS,
    recovery,
    pingIntervalMs: config.SOCKETIO_PING_INTERVAL_MS,
    pingTimeoutMs: config.SOCKETIO_PING_TIMEOUT_MS,
    maxQueuedPackets: config.SOCKETIO_MAX_QUEUED_PACKETS,
    maxBufferedBytes: config.CLIENT_MAX_BUFFER_BYTES,
    directFrames: config.SOCKETIO_DIRECT_FRAMES,
    drainTimeoutMs: config.CLIENT_DRAIN_TIMEOUT_MS,
    slowCheckMs: config.SOCKETIO_SLOW_CHECK_MS,
    maxRoomsPerClient: config.SOCKETIO_MAX_ROOMS_PER_CLIENT,
    origins,
  });
  // SSE first: its fan-out costs a fraction of Socket.IO's per client (measured by the bench), so
  // its clients are not kept waiting behind the dearer transport.
  const broadcaster = createBroadcaster({
    sinks: [sse.sink, socket.sink],
    replay,
    metrics,
    logger,
    journey,
  });
  const queue = `notifications.${instanceId()}`;
  const consumer = createNotificationConsumer({
    url: config.AMQP_URL,
    exchange: config.NOTIFICATIONS_EXCHANGE,
    queue,
    prefetch: config.NOTIFICATIONS_PREFETCH,
    heartbeatSec: config.AMQP_HEARTBEAT_SEC,
    queueExpiresMs: config.NOTIFICATIONS_QUEUE_EXPIRES_MS,
    onQueueLost: () => broadcaster.signalGap('queue-expired'),
    broadcaster,
    metrics,
    logger,
    journey,
  });
  checks.push(...healthChecks(consumer, redis));

  return {
    testing: { server, sse, consumer, socket },
    async listen(port = config.PORT) {
      const bound = await listenHttp(server, { port, host: config.HOST, backlog: listenBacklog });
      await consumer.start();
      // After the queue is bound: what was appended before is history this process never
      // broadcasts, and a restore may replay it (a notification in between may come twice, never lost).
      await recovery.start();
      logger.info({ port: bound, queue }, 'notifications listening');
      return bound;
    },
    close: closeInOrder(
      [
        { name: 'consumer', run: () => consumer.stop(config.SHUTDOWN_TIMEOUT_MS / 2) },
        { name: 'sse', run: () => sse.close() },
        // io.close() disconnects every socket and closes the HTTP server.
        { name: 'socket.io', run: () => socket.close() },
        { name: 'http', run: () => server.closeAllConnections() },
        { name: 'redis', run: () => redis.quit().catch(() => redis.disconnect()) },
      ],
      logger,
    ),
  };
}
