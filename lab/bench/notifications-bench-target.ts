import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { parsePrometheusText, type PromSample } from '../metrics/prometheus-text.ts';
import { findFreePort } from '../target/free-port.ts';
import { startServiceProcess } from '../target/service-process.ts';
import { ensureServiceBuild } from '../target/service-build.ts';

/**
 * A notifications service of its own for one bench run: a fresh port (never the lab's 5000-5002),
 * its own exchange and replay stream, so a bench beside a running scenario shares nothing with it.
 */
export interface NotificationsBenchTarget {
  baseUrl: string;
  /** The exchange the service consumes from: the bench publishes here. */
  exchange: string;
  logFile: string;
  scrape(): Promise<PromSample[]>;
  /** Resident set size of the service process, bytes (from /proc). */
  rssBytes(): Promise<number>;
  /** Stops the service and deletes its exchange and replay stream. Idempotent. */
  close(): Promise<void>;
}

export interface NotificationsBenchTargetOptions {
  repoRoot: string;
  amqpUrl: string;
  redisUrl: string;
  /** Extra environment for the service (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
}

export async function startNotificationsBenchTarget(
  options: NotificationsBenchTargetOptions,
): Promise<NotificationsBenchTarget> {
  const suffix = randomBytes(4).toString('hex');
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const exchange = `bench.notifications.${suffix}`;
  const streamKey = `bench:notifications:${suffix}`;
  const logFile = join(tmpdir(), `bench-notifications-${suffix}.log`);
  await ensureServiceBuild(options.repoRoot, () => undefined);
  const service = startServiceProcess({
    name: 'notifications',
    repoRoot: options.repoRoot,
    logFile,
    baseUrl,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      ...options.env,
      PORT: String(port),
      AMQP_URL: options.amqpUrl,
      REDIS_URL: options.redisUrl,
      NOTIFICATIONS_EXCHANGE: exchange,
      REPLAY_STREAM_KEY: streamKey,
    },
  });
  let closed: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    await service.stop().catch(() => undefined);
    const amqp = await connect(options.amqpUrl);
    try {
      const channel = await amqp.createChannel();
      await channel.deleteExchange(exchange);
    } finally {
      await amqp.close().catch(() => undefined);
    }
    const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      const keys = await redis.keys(`${streamKey}*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  };
  try {
    await service.waitReady(60_000);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return {
    baseUrl,
    exchange,
    logFile,
    async scrape() {
      const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
      return parsePrometheusText(await response.text()).samples;
    },
    async rssBytes() {
      const status = await readFile(`/proc/${service.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) * 1024;
    },
    close: () => (closed ??= close()),
  };
}
