/**
 * Where the Docker stack (docker-compose.yml + docker-compose.chaos.yml) answers on the host, for the
 * lab's `--target compose`. compose-config.int.test.ts checks these against the compose files and
 * deploy/toxiproxy.json, so they cannot drift apart.
 */
export const composeStack = {
  apiUrl: 'http://127.0.0.1:5000',
  /** Direct, bypassing Toxiproxy. */
  notificationsUrl: 'http://127.0.0.1:5001',
  /** Through Toxiproxy's `notifications` proxy: listeners connect here so client-side faults apply. */
  notificationsProxiedUrl: 'http://127.0.0.1:25001',
  workerUrl: 'http://127.0.0.1:5002',
  toxiproxyUrl: 'http://127.0.0.1:8474',
  prometheusUrl: 'http://127.0.0.1:9090',
  grafanaUrl: 'http://127.0.0.1:3000',
  lokiUrl: 'http://127.0.0.1:3100',
  /** The lab serves its own metrics here while a scenario runs; Prometheus scrapes it via host.docker.internal. */
  labMetricsPort: 9464,
  /**
   * Folder (relative to the repository; the lab's default --out) whose `<scenario>/annotations-*.jsonl`
   * Alloy ships to Loki as service="lab".
   */
  labLogDir: 'reports',
  /** Toxiproxy proxies by name (deploy/toxiproxy.json): listen inside the compose network → upstream. */
  proxies: {
    mssql: { listen: '0.0.0.0:21433', upstream: 'mssql:1433' },
    /** Used when the stack runs PostgreSQL (docker-compose.chaos.postgres.yml). */
    postgres: { listen: '0.0.0.0:25432', upstream: 'postgres:5432' },
    rabbitmq: { listen: '0.0.0.0:25672', upstream: 'rabbitmq:5672' },
    redis: { listen: '0.0.0.0:26379', upstream: 'redis:6379' },
    notifications: { listen: '0.0.0.0:25001', upstream: 'notifications-lb:5001' },
  },
} as const;

export type ComposeProxyName = keyof typeof composeStack.proxies;
