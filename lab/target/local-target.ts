import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { startFaultProxyProcess } from '../faults/fault-proxy-process.ts';
import { findFreePort } from './free-port.ts';
import { startHaproxyProcess, type HaproxyProcess } from './haproxy-process.ts';
import { ensureInfra } from './infra.ts';
import { notificationsProcesses } from '../../contracts/haproxy-config.ts';
import { startServiceProcess, type ServiceProcess } from './service-process.ts';
import {
  serviceNames,
  TargetError,
  type ProxyNames,
  type ServiceEnvs,
  type ServiceName,
  type Target,
} from './target.ts';
import { ensureServiceBuild } from './service-build.ts';

export interface LocalTargetOptions {
  repoRoot: string;
  runId: string;
  /** Service logs go to `<logDir>/<service>.log`. */
  logDir: string;
  /** Extra environment per service for this run. */
  env?: ServiceEnvs;
  /** Where the dependencies really are; defaults: DATABASE_URL, AMQP_URL, REDIS_URL or the local defaults. */
  upstreamUrls?: { database?: string; amqp?: string; redis?: string };
  /** Skip `lab/infra/ensure-infra.sh` (tests that bring their own dependencies). */
  skipInfra?: boolean;
  /** How long each service may take to become ready, milliseconds. Default 60,000. */
  readyDeadlineMs?: number;
  /**
   * Shard processes of the fault proxy (`--shards`); default env LAB_PROXY_SHARDS, else 2. Every
   * listener's two sockets live in a shard, so 10,000 listeners never meet one process's fd limit.
   */
  proxyShards?: number;
  log: (line: string) => void;
}

export const localProxyNames: ProxyNames = {
  rabbitmq: 'rabbitmq',
  redis: 'redis',
  database: 'postgres',
  notifications: 'notifications',
};

/** `postgres://u:p@127.0.0.1:5432/lab` with host:port replaced by the proxy's listen address. */
export function rewriteHostPort(url: string, port: number, host = '127.0.0.1'): string {
  const parsed = new URL(url);
  parsed.hostname = host;
  parsed.port = String(port);
  return parsed.toString();
}

function hostPortOf(url: string, defaultPort: number): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || defaultPort}`;
}

/** NOTIFICATIONS_PROCESSES from the run's notifications environment, else the lab's own. */
function notificationsProcessesFrom(options: LocalTargetOptions): number {
  const raw = options.env?.notifications?.NOTIFICATIONS_PROCESSES ?? process.env.NOTIFICATIONS_PROCESSES;
  const count = Number(raw ?? notificationsProcesses.default);
  if (!Number.isInteger(count) || count < 1 || count > notificationsProcesses.max) {
    throw new TargetError(
      `NOTIFICATIONS_PROCESSES must be an integer 1-${notificationsProcesses.max}, got ${raw}`,
      'unset NOTIFICATIONS_PROCESSES',
    );
  }
  return count;
}

function proxyShardsFrom(options: LocalTargetOptions): number {
  const raw = options.proxyShards ?? process.env.LAB_PROXY_SHARDS ?? '2';
  const shards = Number(raw);
  if (!Number.isInteger(shards) || shards < 1 || shards > 64) {
    throw new TargetError(`LAB_PROXY_SHARDS must be an integer 1-64, got ${raw}`, 'unset LAB_PROXY_SHARDS');
  }
  return shards;
}

/**
 * The `local` target: ensures the infrastructure, starts the embedded fault proxy as a child
 * process (`<logDir>/fault-proxy.log`) with proxies for RabbitMQ, Redis, PostgreSQL and the
 * notifications service, then spawns the three services wired through them. With
 * NOTIFICATIONS_PROCESSES=N above 1, N notifications processes run on N ports with HAProxy in front
 * (`<logDir>/haproxy.cfg`); the fault proxy's `notifications` proxy leads to HAProxy. `close()` stops the
 * services (SIGTERM → SIGKILL), resets and deletes the proxies and stops the proxy process;
 * every step runs even when another fails.
 */
export async function startLocalTarget(options: LocalTargetOptions): Promise<Target> {
  if (!options.skipInfra) await ensureInfra(options.repoRoot, options.log);
  await ensureServiceBuild(options.repoRoot, options.log);
  mkdirSync(options.logDir, { recursive: true });
  const upstream = {
    database: options.upstreamUrls?.database ?? process.env.DATABASE_URL ?? defaultUrls.database,
    amqp: options.upstreamUrls?.amqp ?? process.env.AMQP_URL ?? defaultUrls.amqp,
    redis: options.upstreamUrls?.redis ?? process.env.REDIS_URL ?? defaultUrls.redis,
  };
  if (!upstream.database.startsWith('postgres')) {
    throw new TargetError(
      `the local target runs on PostgreSQL; DATABASE_URL is ${upstream.database}`,
      'unset DATABASE_URL',
    );
  }
  const shards = proxyShardsFrom(options);
  const logFile = path.join(options.logDir, 'fault-proxy.log');
  const faultProxy = await startFaultProxyProcess({ shards, logFile }).catch((error: Error) => {
    throw new TargetError(
      error.message,
      `read ${logFile}; \`npm run toxiproxy -- --shards ${shards}\` runs it alone`,
    );
  });
  options.log(`fault proxy (Toxiproxy API) at ${faultProxy.url} (pid ${faultProxy.pid}, ${shards} shard(s))`);
  const toxiproxy = new Toxiproxy(faultProxy.url);
  const processes = new Map<string, ServiceProcess>();
  const balancer: { haproxy?: HaproxyProcess } = {};
  let closing: Promise<void> | undefined;
  const closeAll = (): Promise<void> =>
    (closing ??= (async () => {
      await Promise.allSettled([...processes.values()].map((p) => p.stop()));
      processes.clear();
      await balancer.haproxy?.stop();
      await removeProxies(toxiproxy).catch(() => undefined);
      await faultProxy.stop();
    })());
  try {
    return await wire({ options, upstream, toxiproxy, processes, balancer, closeAll });
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function removeProxies(toxiproxy: Toxiproxy): Promise<void> {
  await toxiproxy.reset();
  const all = await toxiproxy.getAll();
  await Promise.all(Object.values(all).map((proxy) => proxy.remove()));
}

interface WireDeps {
  options: LocalTargetOptions;
  upstream: { database: string; amqp: string; redis: string };
  toxiproxy: Toxiproxy;
  /** Service processes by name; several notifications processes are `notifications-<i>`. */
  processes: Map<string, ServiceProcess>;
  balancer: { haproxy?: HaproxyProcess };
  closeAll: () => Promise<void>;
}

async function wire(deps: WireDeps): Promise<Target> {
  const { options, upstream, toxiproxy, processes, balancer } = deps;
  const notificationsCount = notificationsProcessesFrom(options);
  const processPorts: number[] = [];
  for (let i = 0; i < notificationsCount; i++) processPorts.push(await findFreePort());
  const ports = {
    api: await findFreePort(),
    worker: await findFreePort(),
    // What listeners reach: the one process, or HAProxy in front of several.
    notifications: notificationsCount === 1 ? (processPorts[0] as number) : await findFreePort(),
    notificationsProxy: await findFreePort(),
    rabbitmq: await findFreePort(),
    redis: await findFreePort(),
    postgres: await findFreePort(),
  };
  const proxy = async (name: string, listenPort: number, upstreamAddress: string): Promise<void> => {
    await toxiproxy.createProxy({ name, listen: `127.0.0.1:${listenPort}`, upstream: upstreamAddress });
    options.log(`proxy ${name}: 127.0.0.1:${listenPort} -> ${upstreamAddress}`);
  };
  await proxy(localProxyNames.rabbitmq, ports.rabbitmq, hostPortOf(upstream.amqp, 5672));
  await proxy(localProxyNames.redis, ports.redis, hostPortOf(upstream.redis, 6379));
  await proxy(localProxyNames.database, ports.postgres, hostPortOf(upstream.database, 5432));
  await proxy(localProxyNames.notifications, ports.notificationsProxy, `127.0.0.1:${ports.notifications}`);

  const url = (port: number): string => `http://127.0.0.1:${port}`;
  const sharedEnv = {
    DATABASE_URL: rewriteHostPort(upstream.database, ports.postgres),
    AMQP_URL: rewriteHostPort(upstream.amqp, ports.rabbitmq),
    REDIS_URL: rewriteHostPort(upstream.redis, ports.redis),
    LAB_RUN_ID: options.runId,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // The journey breakdown reads every process's marks (read every 2 s, so the ring never wraps).
    JOURNEY_LOG_SIZE: '100000',
  };
  const envFor = (name: ServiceName, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    ...sharedEnv,
    PORT: String(ports[name]),
    ...(options.env?.[name] ?? {}),
    ...extra,
  });
  /** One process of a service: `label` names its log and its entry in `processes`. */
  const startOne = async (
    name: ServiceName,
    label: string,
    port: number,
    extra?: Readonly<Record<string, string>>,
  ) => {
    const service = startServiceProcess({
      name,
      repoRoot: options.repoRoot,
      env: { ...envFor(name, extra), PORT: String(port) },
      logFile: path.join(options.logDir, `${label}.log`),
      baseUrl: url(port),
    });
    processes.set(label, service);
    options.log(`started ${label} (pid ${service.pid}) on ${url(port)}`);
    await service.waitReady(options.readyDeadlineMs ?? 60_000);
  };
  const labelsOf = (name: ServiceName): string[] =>
    name === 'notifications' && notificationsCount > 1
      ? processPorts.map((_, i) => `notifications-${i + 1}`)
      : [name];
  const start = async (name: ServiceName, extra?: Readonly<Record<string, string>>): Promise<void> => {
    if (name !== 'notifications' || notificationsCount === 1) return startOne(name, name, ports[name], extra);
    await Promise.all(processPorts.map((port, i) => startOne(name, `notifications-${i + 1}`, port, extra)));
  };
  // In parallel: each service waits for its own dependencies; migrations are lock-protected.
  await Promise.all(serviceNames.map((name) => start(name)));
  if (notificationsCount > 1) {
    balancer.haproxy = startHaproxyProcess({
      listen: { host: '127.0.0.1', port: ports.notifications },
      servers: processPorts.map((port) => ({ host: '127.0.0.1', port })),
      logDir: options.logDir,
      // As many balancer processes as service processes (at least two): each balancer process
      // holds about 9,990 connections under this machine's descriptor limit.
      instances: Math.max(2, notificationsCount),
    });
    options.log(
      `started haproxy (${Math.max(2, notificationsCount)} processes on one port, first pid ${balancer.haproxy.pid}) on ${url(ports.notifications)} in front of ${notificationsCount} notifications processes`,
    );
    await balancer.haproxy.waitReady(options.readyDeadlineMs ?? 60_000);
  }

  return {
    kind: 'local',
    runId: options.runId,
    apiUrl: url(ports.api),
    notificationsUrl: url(ports.notificationsProxy),
    notificationsDirectUrl: url(ports.notifications),
    notificationsProcessUrls: processPorts.map(url),
    workerUrl: url(ports.worker),
    toxiproxy,
    proxyNames: localProxyNames,
    metricsUrls: {
      api: `${url(ports.api)}/metrics`,
      worker: `${url(ports.worker)}/metrics`,
      // The first process: each process counts only its own clients and deliveries.
      notifications: `${url(processPorts[0] as number)}/metrics`,
    },
    processMetricsUrls: {
      api: [`${url(ports.api)}/metrics`],
      worker: [`${url(ports.worker)}/metrics`],
      notifications: processPorts.map((port) => `${url(port)}/metrics`),
    },
    async restartService(name, env) {
      await Promise.all(labelsOf(name).map((label) => processes.get(label)?.stop() ?? Promise.resolve()));
      options.log(`restarting ${name} with ${JSON.stringify(env)}`);
      await start(name, env);
    },
    close: deps.closeAll,
  };
}
