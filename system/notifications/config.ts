import { z } from 'zod';
import { env, loadConfig } from '../shared/config.ts';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { topology } from '../../contracts/topology.ts';
import { httpServerSettings } from '../shared/http-server-limits.ts';

/** Environment variables of the notifications service; every one has a working default. */
export const notificationsConfigSchema = z.object({
  PORT: env.port(5001),
  // Every SSE and Socket.IO listener holds a connection: the bound is set for the listener fleets.
  ...httpServerSettings({ maxConnections: 100_000, keepAliveTimeoutMs: 5_000 }),
  /**
   * Browser origins (comma-separated, `*` for any) allowed to open SSE streams and Socket.IO
   * sessions from another origin. Empty: the service's own pages only.
   */
  CORS_ORIGINS: env.list(),
  LOG_LEVEL: env.logLevel(),
  AMQP_URL: env.url(defaultUrls.amqp, ['amqp:', 'amqps:']),
  REDIS_URL: env.url(defaultUrls.redis, ['redis:', 'rediss:']),
  /** Exchange the consumer binds to; only tests change it. */
  NOTIFICATIONS_EXCHANGE: z.string().min(1).default(topology.notificationsExchange),
  /** Unacknowledged notifications the broker may push at once. */
  NOTIFICATIONS_PREFETCH: env.int(100, 1, 10_000),
  /**
   * AMQP heartbeat, in seconds. Longer than the shared default (5 s): a fan-out to thousands of
   * sockets on a busy host can hold the event loop long enough for the broker to count missed
   * heartbeats and close the connection (the queue keeps what arrives meanwhile, but delivery stalls).
   */
  AMQP_HEARTBEAT_SEC: env.int(30, 1, 600),
  /**
   * How long this instance's queue outlives its connection, in milliseconds: notifications wait
   * there through a broker cut this long; after it they are lost and clients get a `gap` event.
   */
  NOTIFICATIONS_QUEUE_EXPIRES_MS: env.int(120_000, 1_000),
  /** Redis Stream holding the replay buffer, and how many entries it keeps (approximately). */
  REPLAY_STREAM_KEY: z.string().min(1).default('notifications:replay'),
  REPLAY_MAX_LEN: env.int(10_000, 10, 10_000_000),
  /** How long a messageId → stream id index entry lives, in seconds (default 24 h). */
  REPLAY_INDEX_TTL_SEC: env.int(86_400, 1),
  /** SSE comment heartbeat, in milliseconds. */
  HEARTBEAT_MS: env.int(15_000, 100),
  /** The `retry:` hint sent to SSE clients, in milliseconds. */
  SSE_RETRY_MS: env.int(2_000, 0),
  /** A client whose unsent bytes exceed this is dropped (per client, in bytes). */
  CLIENT_MAX_BUFFER_BYTES: env.int(256 * 1024, 1024),
  /** A client that stays un-drained this long is dropped, in milliseconds. */
  CLIENT_DRAIN_TIMEOUT_MS: env.int(10_000, 100),
  /** Socket.IO: queued packets per client before it is dropped. */
  SOCKETIO_MAX_QUEUED_PACKETS: env.int(200, 1),
  /** Socket.IO: write each broadcast's pre-encoded frame straight to the WebSockets (see socket-direct-adapter.ts). */
  SOCKETIO_DIRECT_FRAMES: env.bool(true),
  /** Socket.IO: how often slow clients are looked for, in milliseconds. */
  SOCKETIO_SLOW_CHECK_MS: env.int(1_000, 50),
  /** Socket.IO: student rooms one client may join in total (each costs adapter memory). */
  SOCKETIO_MAX_ROOMS_PER_CLIENT: env.int(100, 1, 10_000),
  /** Socket.IO connection-state recovery window, in milliseconds. */
  SOCKETIO_MAX_DISCONNECTION_MS: env.int(120_000, 1_000),
  SOCKETIO_PING_INTERVAL_MS: env.int(25_000, 1_000),
  SOCKETIO_PING_TIMEOUT_MS: env.int(20_000, 1_000),
  /** The Business API the test pages link to and the POST proxy forwards to. */
  API_BASE_URL: env.url('http://localhost:5000', ['http:', 'https:']),
  /** Shutdown budget, in milliseconds. */
  SHUTDOWN_TIMEOUT_MS: env.int(10_000, 100),
});

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;

export const loadNotificationsConfig = (source: Record<string, string | undefined>): NotificationsConfig =>
  loadConfig('notifications', notificationsConfigSchema, source);
