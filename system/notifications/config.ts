import { z } from 'zod';
import { env, loadConfig } from '../shared/config.ts';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { topology } from '../../contracts/topology.ts';
import { notificationsProcesses } from '../../contracts/haproxy-config.ts';
import { httpServerSettings } from '../shared/http-server-limits.ts';
import { journeySettings } from '../shared/journey-log.ts';

/**
 * Environment variables of the notifications service; every one has a working default and says what
 * it controls (docs/configuration.md is generated from them by `npm run docs:config`).
 */
export const notificationsConfigSchema = z.object({
  PORT: env
    .port(5001)
    .describe('Port of the SSE stream, Socket.IO, the test pages, `/health` and `/metrics`.'),
  NOTIFICATIONS_PROCESSES: env
    .int(notificationsProcesses.default, 1, notificationsProcesses.max)
    .describe(
      "How many notifications processes `npm start` and the lab's local target run. Above 1, HAProxy (Debian package `haproxy`, which `npm run infra` installs) listens on `PORT` and spreads listeners over the processes, which listen on `NOTIFICATIONS_FIRST_PROCESS_PORT` and the ports after it. Every process consumes every notification; Socket.IO recovery and SSE replay work on any of them.",
    ),
  NOTIFICATIONS_FIRST_PROCESS_PORT: env
    .port(notificationsProcesses.firstPort)
    .describe(
      'Port of the first of several notifications processes (`NOTIFICATIONS_PROCESSES` > 1, `npm start` only; the lab picks free ports).',
    ),
  ...httpServerSettings({
    maxConnections: 100_000,
    keepAliveTimeoutMs: 5_000,
    why: {
      maxConnections:
        'Every SSE and Socket.IO listener holds a connection: the bound is set for the listener fleets.',
    },
  }),
  ...journeySettings(),
  CORS_ORIGINS: env
    .list()
    .describe(
      "Browser origins (`*` for any) allowed to open SSE streams and Socket.IO sessions from another origin. Empty: the service's own pages only.",
    ),
  LOG_LEVEL: env.logLevel().describe('Least severe log level written (pino); `silent` writes nothing.'),
  AMQP_URL: env
    .url(defaultUrls.amqp, ['amqp:', 'amqps:'])
    .describe('RabbitMQ to consume notifications from. The default is what `npm run infra` sets up.'),
  REDIS_URL: env
    .url(defaultUrls.redis, ['redis:', 'rediss:'])
    .describe('Redis holding the replay buffer. The default is what `npm run infra` sets up.'),
  NOTIFICATIONS_EXCHANGE: z
    .string()
    .min(1)
    .default(topology.notificationsExchange)
    .describe('Exchange the consumer binds to; only tests change it.'),
  NOTIFICATIONS_PREFETCH: env
    .int(100, 1, 10_000)
    .describe('Unacknowledged notifications the broker may push at once.'),
  AMQP_HEARTBEAT_SEC: env
    .int(30, 1, 600)
    .describe(
      'AMQP heartbeat, in seconds. Longer than the shared default (5 s): a fan-out to thousands of sockets on a busy host can hold the event loop long enough for the broker to count missed heartbeats and close the connection (the queue keeps what arrives meanwhile, but delivery stalls).',
    ),
  NOTIFICATIONS_QUEUE_EXPIRES_MS: env
    .int(120_000, 1_000)
    .describe(
      "How long this instance's queue outlives its connection, in milliseconds: notifications wait there through a broker cut this long; after it they are lost and clients get a `gap` event.",
    ),
  REPLAY_STREAM_KEY: z
    .string()
    .min(1)
    .default('notifications:replay')
    .describe('Redis Stream holding the replay buffer.'),
  REPLAY_MAX_LEN: env
    .int(10_000, 10, 10_000_000)
    .describe('Entries the replay buffer keeps (approximately); older ones are trimmed.'),
  REPLAY_INDEX_TTL_SEC: env
    .int(86_400, 1)
    .describe('How long a messageId → stream id index entry lives, in seconds (default 24 h).'),
  HEARTBEAT_MS: env.int(15_000, 100).describe('Interval of the SSE comment heartbeat, in milliseconds.'),
  SSE_RETRY_MS: env.int(2_000, 0).describe('The `retry:` hint sent to SSE clients, in milliseconds.'),
  CLIENT_MAX_BUFFER_BYTES: env
    .int(256 * 1024, 1024)
    .describe('A client whose unsent bytes exceed this is dropped (per client, in bytes).'),
  CLIENT_DRAIN_TIMEOUT_MS: env
    .int(10_000, 100)
    .describe('A client that stays un-drained this long is dropped, in milliseconds.'),
  SOCKETIO_MAX_QUEUED_PACKETS: env
    .int(200, 1)
    .describe('Socket.IO: queued packets per client before it is dropped.'),
  SOCKETIO_DIRECT_FRAMES: env
    .bool(true)
    .describe(
      "Socket.IO: write each broadcast's pre-encoded frame straight to the WebSockets (see system/notifications/socket-direct-adapter.ts).",
    ),
  SOCKETIO_SLOW_CHECK_MS: env
    .int(1_000, 50)
    .describe('Socket.IO: how often slow clients are looked for, in milliseconds.'),
  SOCKETIO_MAX_ROOMS_PER_CLIENT: env
    .int(100, 1, 10_000)
    .describe('Socket.IO: student rooms one client may join in total (each costs adapter memory).'),
  SOCKETIO_MAX_DISCONNECTION_MS: env
    .int(120_000, 1_000)
    .describe('Socket.IO connection-state recovery window, in milliseconds.'),
  SOCKETIO_PING_INTERVAL_MS: env
    .int(25_000, 1_000)
    .describe('Socket.IO: how often the server pings each client, in milliseconds.'),
  SOCKETIO_PING_TIMEOUT_MS: env
    .int(20_000, 1_000)
    .describe('Socket.IO: how long a ping may go unanswered before the client is dropped, in milliseconds.'),
  API_BASE_URL: env
    .url('http://localhost:5000', ['http:', 'https:'])
    .describe('The Business API the test pages link to and the POST proxy forwards to.'),
  SHUTDOWN_TIMEOUT_MS: env
    .int(10_000, 100)
    .describe(
      'Shutdown budget, in milliseconds: after it the process exits even if closing has not finished.',
    ),
});

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;

export const loadNotificationsConfig = (source: Record<string, string | undefined>): NotificationsConfig =>
  loadConfig('notifications', notificationsConfigSchema, source);
