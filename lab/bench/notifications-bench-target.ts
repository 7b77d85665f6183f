import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { scrapeProcesses, type PromSample } from '../metrics/prometheus-text.ts';
import { findFreePort } from '../target/free-port.ts';
import { startServiceProcess, type ServiceProcess } from '../target/service-process.ts';
import { ensureServiceBuild } from '../target/service-build.ts';

/**
 * A notifications service of its own for one bench run: a fresh port (never the lab's 5000-5002),
 * its own exchange and replay stream, so a bench beside a running scenario shares nothing with it.
 */
export interface NotificationsBenchTarget {
  /** The first process's URL. */
  baseUrl: string;
  /** Every process's URL (one per process; the bench's listeners are spread over them). */
  processUrls: string[];
  /** Every process's pid. */
  pids: number[];
  /** The exchange the service consumes from: the bench publishes here. */
  exchange: string;
  logFile: string;
  /** Every process's samples, one list (counters add up across processes). */
  scrape(): Promise<PromSample[]>;
  /** Resident set size of the service processes together, bytes (from /proc). */
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
  /**
   * Notifications processes (default 1), each on its own port with its own instance queue on the
   * one exchange, sharing one replay stream: what NOTIFICATIONS_PROCESSES runs, minus the balancer.
   */
  processes?: number;
}

export async function startNotificationsBenchTarget(
  options: NotificationsBenchTargetOptions,
): Promise<NotificationsBenchTarget> {
  const suffix = randomBytes(4).toString('hex');
  const exchange = `bench.notifications.${suffix}`;
  const streamKey = `bench:notifications:${suffix}`;
  await ensureServiceBuild(options.repoRoot, () => undefined);
  const services: { baseUrl: string; process: ServiceProcess; logFile: string }[] = [];
  for (let i = 0; i < (options.processes ?? 1); i++) {
    const port = await findFreePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const logFile = join(tmpdir(), `bench-notifications-${suffix}-${i}.log`);
    const process = startServiceProcess({
      name: 'notifications',
      repoRoot: options.repoRoot,
      logFile,
      baseUrl,
      env: {
        ...globalThis.process.env,
        LOG_LEVEL: 'warn',
        ...options.env,
        PORT: String(port),
        AMQP_URL: options.amqpUrl,
        REDIS_URL: options.redisUrl,
        NOTIFICATIONS_EXCHANGE: exchange,
        REPLAY_STREAM_KEY: streamKey,
      },
    });
    services.push({ baseUrl, process, logFile });
  }
  let closed: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    await Promise.all(services.map((s) => s.process.stop().catch(() => undefined)));
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
    await Promise.all(services.map((s) => s.process.waitReady(60_000)));
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  const first = services[0] as (typeof services)[number];
  return {
    baseUrl: first.baseUrl,
    processUrls: services.map((s) => s.baseUrl),
    pids: services.map((s) => s.process.pid ?? 0),
    exchange,
    logFile: first.logFile,
    scrape: () =>
      scrapeProcesses(
        services.map((s) => `${s.baseUrl}/metrics`),
        5000,
      ),
    async rssBytes() {
      let bytes = 0;
      for (const s of services) {
        const status = await readFile(`/proc/${s.process.pid}/status`, 'utf8');
        bytes += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) * 1024;
      }
      return bytes;
    },
    close: () => (closed ??= close()),
  };
}
