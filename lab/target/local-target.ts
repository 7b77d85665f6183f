import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { startFaultProxyProcess } from '../faults/fault-proxy-process.ts';
import { findFreePort } from './free-port.ts';
import { ensureInfra } from './infra.ts';
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
 * notifications service, then spawns the three services wired through them. `close()` stops the
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
  const processes = new Map<ServiceName, ServiceProcess>();
  let closing: Promise<void> | undefined;
  const closeAll = (): Promise<void> =>
    (closing ??= (async () => {
      await Promise.allSettled([...processes.values()].map((p) => p.stop()));
      processes.clear();
      await removeProxies(toxiproxy).catch(() => undefined);
      await faultProxy.stop();
    })());
  try {
    return await wire({ options, upstream, toxiproxy, processes, closeAll });
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
  processes: Map<ServiceName, ServiceProcess>;
  closeAll: () => Promise<void>;
}

async function wire(deps: WireDeps): Promise<Target> {
  const { options, upstream, toxiproxy, processes } = deps;
  const ports = {
    api: await findFreePort(),
    worker: await findFreePort(),
    notifications: await findFreePort(),
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
  };
  const envFor = (name: ServiceName, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    ...sharedEnv,
    PORT: String(ports[name]),
    ...(options.env?.[name] ?? {}),
    ...extra,
  });
  const start = async (name: ServiceName, extra?: Readonly<Record<string, string>>): Promise<void> => {
    const service = startServiceProcess({
      name,
      repoRoot: options.repoRoot,
      env: envFor(name, extra),
      logFile: path.join(options.logDir, `${name}.log`),
      baseUrl: url(ports[name]),
    });
    processes.set(name, service);
    options.log(`started ${name} (pid ${service.pid}) on ${url(ports[name])}`);
    await service.waitReady(options.readyDeadlineMs ?? 60_000);
  };
  // In parallel: each service waits for its own dependencies; migrations are lock-protected.
  await Promise.all(serviceNames.map((name) => start(name)));

  return {
    kind: 'local',
    runId: options.runId,
    apiUrl: url(ports.api),
    notificationsUrl: url(ports.notificationsProxy),
    notificationsDirectUrl: url(ports.notifications),
    workerUrl: url(ports.worker),
    toxiproxy,
    proxyNames: localProxyNames,
    metricsUrls: {
      api: `${url(ports.api)}/metrics`,
      worker: `${url(ports.worker)}/metrics`,
      notifications: `${url(ports.notifications)}/metrics`,
    },
    async restartService(name, env) {
      await processes.get(name)?.stop();
      options.log(`restarting ${name} with ${JSON.stringify(env)}`);
      await start(name, env);
    },
    close: deps.closeAll,
  };
}
