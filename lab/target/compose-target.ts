import { Toxiproxy } from 'toxiproxy-node-client';
import { TargetError, type ProxyNames, type Target } from './target.ts';

/**
 * The `compose` target: a running `docker compose -f docker-compose.yml -f docker-compose.chaos.yml`
 * stack and its real Toxiproxy. Nothing is started or stopped here; `close()` only resets toxics.
 *
 * Proxy names agreed with docker-compose.chaos.yml (the services connect through these):
 * - `rabbitmq`      → rabbitmq:5672
 * - `redis`         → redis:6379
 * - `mssql`         → mssql:1433 (`postgres` → postgres:5432 when the stack runs PostgreSQL;
 *                     set LAB_DATABASE_PROXY=postgres)
 * - `notifications` → notifications-lb:5001 (HAProxy before the replicas); listeners connect to its listen port on the Toxiproxy host
 *
 * URLs (environment overrides): LAB_API_URL (http://localhost:5000), LAB_WORKER_URL
 * (http://localhost:5002), LAB_NOTIFICATIONS_URL (http://localhost:5001, direct),
 * TOXIPROXY_URL (http://localhost:8474).
 */
export const composeProxyNames: ProxyNames = {
  rabbitmq: 'rabbitmq',
  redis: 'redis',
  database: process.env.LAB_DATABASE_PROXY ?? 'mssql',
  notifications: 'notifications',
};

const hint =
  'start the stack with `docker compose -f docker-compose.yml -f docker-compose.chaos.yml up -d` ' +
  '(or run without --target compose to use the local target)';

export async function connectComposeTarget(
  runId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Target> {
  const apiUrl = env.LAB_API_URL ?? 'http://localhost:5000';
  const workerUrl = env.LAB_WORKER_URL ?? 'http://localhost:5002';
  const notificationsDirectUrl = env.LAB_NOTIFICATIONS_URL ?? 'http://localhost:5001';
  const toxiproxyUrl = env.TOXIPROXY_URL ?? 'http://localhost:8474';
  const toxiproxy = new Toxiproxy(toxiproxyUrl);
  let notificationsProxyPort: string;
  try {
    await toxiproxy.getVersion();
    const proxy = await toxiproxy.get(composeProxyNames.notifications);
    notificationsProxyPort = proxy.listen.split(':').at(-1) ?? '';
  } catch (error) {
    throw new TargetError(
      `Toxiproxy at ${toxiproxyUrl} is not reachable or has no "${composeProxyNames.notifications}" proxy (${(error as Error).message})`,
      hint,
    );
  }
  for (const [name, url] of [
    ['api', apiUrl],
    ['worker', workerUrl],
    ['notifications', notificationsDirectUrl],
  ] as const) {
    const ok = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!ok) throw new TargetError(`${name} at ${url} is not ready`, hint);
  }
  const toxiproxyHost = new URL(toxiproxyUrl).hostname;
  return {
    kind: 'compose',
    runId,
    apiUrl,
    workerUrl,
    notificationsDirectUrl,
    // Compose replicas sit behind its HAProxy, unreachable one by one from the host.
    notificationsProcessUrls: [notificationsDirectUrl],
    notificationsUrl: `http://${toxiproxyHost}:${notificationsProxyPort}`,
    toxiproxy,
    proxyNames: composeProxyNames,
    metricsUrls: {
      api: `${apiUrl}/metrics`,
      worker: `${workerUrl}/metrics`,
      notifications: `${notificationsDirectUrl}/metrics`,
    },
    // One replica per scrape through the balancer: the host cannot reach them one by one.
    processMetricsUrls: {
      api: [`${apiUrl}/metrics`],
      worker: [`${workerUrl}/metrics`],
      notifications: [`${notificationsDirectUrl}/metrics`],
    },
    async close() {
      await toxiproxy.reset().catch(() => undefined);
    },
  };
}
