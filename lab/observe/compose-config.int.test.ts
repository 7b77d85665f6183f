import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeStack } from './compose-stack.ts';

// Validates docker-compose.yml (+ the chaos overlay) with Debian's docker-compose v1.29 — the engine is
// not needed for `config` — and checks the facts the lab and the dashboards rely on.
const root = new URL('../../', import.meta.url).pathname;

interface ComposeService {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  /** docker-compose v1 prints `127.0.0.1:5000:5000/tcp` strings for ports bound to one address. */
  ports?: ({ published: number | string; target: number } | string)[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  volumes?: string[];
  extra_hosts?: string[];
}
type ComposeConfig = { services: Record<string, ComposeService> };

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: 240_000 });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr || String(result.error ?? ''),
  };
}

function composeConfig(...files: string[]): ComposeConfig {
  // Credentials come from `.env`, which is not in the repository: validate with the example's.
  const result = run('docker-compose', [
    '--env-file',
    '.env.example',
    ...files.flatMap((f) => ['-f', f]),
    'config',
  ]);
  // docker-compose prints warnings (unknown keys, deprecated syntax) on stderr; there must be none.
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return parse(result.stdout) as ComposeConfig;
}

/** `{host, published}` of a port entry, in either form compose prints. */
function portOf(entry: NonNullable<ComposeService['ports']>[number]): { host: string; published: number } {
  if (typeof entry !== 'string') return { host: '0.0.0.0', published: Number(entry.published) };
  const match = /^(?:([\d.]+):)?(\d+):\d+/.exec(entry);
  return { host: match?.[1] ?? '0.0.0.0', published: Number(match?.[2]) };
}

const hostPort = (url: string | undefined) => (url === undefined ? '' : new URL(url).host);
const service = (config: ComposeConfig, name: string): ComposeService => {
  const found = config.services[name];
  if (!found) throw new Error(`service ${name} missing`);
  return found;
};
const apps = ['api', 'worker', 'notifications'];
const longRunning = [...apps, 'mssql', 'rabbitmq', 'redis', 'prometheus', 'loki', 'promtail', 'grafana'];

describe('docker-compose files', () => {
  let base: ComposeConfig;
  let chaos: ComposeConfig;
  beforeAll(() => {
    const tools = run('bash', ['lab/observe/ensure-tools.sh', 'docker-compose', 'prometheus']);
    expect(tools.status, tools.stderr).toBe(0);
    base = composeConfig('docker-compose.yml');
    chaos = composeConfig('docker-compose.yml', 'docker-compose.chaos.yml');
  }, 300_000);

  it('defines the system, its dependencies and the observability stack on the documented ports', () => {
    expect(Object.keys(base.services).sort()).toEqual([...longRunning, 'db-init'].sort());
    const published = (name: string) => (service(base, name).ports ?? []).map((p) => portOf(p).published);
    expect(published('api')).toEqual([5000]);
    expect(published('notifications')).toEqual([5001]);
    expect(published('worker')).toEqual([5002]);
    expect(published('prometheus')).toEqual([9090]);
    expect(published('grafana')).toEqual([3000]);
    expect(published('loki')).toEqual([3100]);
    expect(published('rabbitmq')).toEqual([5672, 15672]);
    expect(service(base, 'mssql').image).toBe('mcr.microsoft.com/mssql/server:2022-latest');
    expect(service(base, 'rabbitmq').image).toMatch(/^rabbitmq:3-management/);
  });

  it('publishes every port on the loopback interface only', () => {
    for (const config of [base, chaos])
      for (const [name, svc] of Object.entries(config.services))
        for (const entry of svc.ports ?? [])
          expect(portOf(entry).host, `${name}: ${JSON.stringify(entry)}`).toBe('127.0.0.1');
  });

  it('builds each service from the Dockerfile and points it at SQL Server, RabbitMQ and Redis directly', () => {
    for (const name of apps) {
      const svc = service(base, name);
      expect(svc.build?.args?.SERVICE).toBe(name);
      expect(hostPort(svc.environment?.AMQP_URL)).toBe('rabbitmq:5672');
      expect(hostPort(svc.environment?.REDIS_URL)).toBe('redis:6379');
    }
    for (const name of ['api', 'worker']) {
      expect(service(base, name).environment?.DATABASE_URL).toMatch(/^mssql:\/\/[^@]+@mssql:1433\/lab\b/);
    }
  });

  it('gives every long-running service a health check and starts dependants only when healthy', () => {
    for (const name of longRunning) {
      const check = service(chaos, name).healthcheck;
      expect(check?.test?.length, name).toBeGreaterThan(1);
      expect(check?.test?.[0], name).not.toBe('NONE');
    }
    for (const [name, svc] of Object.entries(chaos.services)) {
      for (const [dependency, { condition }] of Object.entries(svc.depends_on ?? {})) {
        const expected = dependency === 'db-init' ? 'service_completed_successfully' : 'service_healthy';
        expect(condition, `${name} → ${dependency}`).toBe(expected);
      }
    }
    expect(Object.keys(service(base, 'api').depends_on ?? {}).sort()).toEqual([
      'db-init',
      'rabbitmq',
      'redis',
    ]);
  });

  it('rewires the services through Toxiproxy proxies named as the lab expects', () => {
    const proxies = JSON.parse(readFileSync(`${root}deploy/toxiproxy.json`, 'utf8')) as {
      name: string;
      listen: string;
      upstream: string;
    }[];
    expect(proxies.map(({ name, listen, upstream }) => [name, { listen, upstream }])).toEqual(
      Object.entries(composeStack.proxies),
    );
    const toxiproxy = service(chaos, 'toxiproxy');
    expect(toxiproxy.image).toMatch(/^ghcr\.io\/shopify\/toxiproxy:/);
    expect((toxiproxy.ports ?? []).map((p) => portOf(p).published).sort((a, b) => a - b)).toEqual([
      8474, 25001,
    ]);
    const through = (name: keyof typeof composeStack.proxies) =>
      `toxiproxy:${composeStack.proxies[name].listen.split(':')[1]}`;
    for (const name of apps) {
      const env = service(chaos, name).environment ?? {};
      expect(hostPort(env.AMQP_URL), name).toBe(through('rabbitmq'));
      expect(hostPort(env.REDIS_URL), name).toBe(through('redis'));
      if (name !== 'notifications') expect(hostPort(env.DATABASE_URL), name).toBe(through('mssql'));
      expect(service(chaos, name).depends_on?.toxiproxy?.condition).toBe('service_healthy');
    }
    // Each proxy forwards to where the base file pointed the services.
    expect(composeStack.proxies.rabbitmq.upstream).toBe(hostPort(service(base, 'api').environment?.AMQP_URL));
    expect(composeStack.proxies.redis.upstream).toBe(hostPort(service(base, 'api').environment?.REDIS_URL));
    expect(composeStack.proxies.mssql.upstream).toBe(
      hostPort(service(base, 'api').environment?.DATABASE_URL),
    );
    expect(new URL(composeStack.notificationsProxiedUrl).port).toBe('25001');
  });

  it('has Prometheus scrape the services and the lab on the host, and passes promtool', () => {
    const check = run('promtool', ['check', 'config', 'deploy/prometheus.yml']);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const config = parse(readFileSync(`${root}deploy/prometheus.yml`, 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = Object.fromEntries(
      config.scrape_configs.map((c) => [c.job_name, c.static_configs.flatMap((s) => s.targets)]),
    );
    expect(targets).toMatchObject({
      api: ['api:5000'],
      worker: ['worker:5002'],
      notifications: ['notifications:5001'],
      lab: [`host.docker.internal:${composeStack.labMetricsPort}`],
    });
    expect(service(base, 'prometheus').extra_hosts).toContain('host.docker.internal:host-gateway');
  });

  it('ships container and lab logs to Loki with service and level labels, and mounts Grafana provisioning', () => {
    const promtail = readFileSync(`${root}deploy/promtail.yml`, 'utf8');
    const config = parse(promtail) as {
      clients: { url: string }[];
      scrape_configs: { job_name: string; pipeline_stages: unknown[] }[];
    };
    expect(config.clients.map((c) => c.url)).toEqual(['http://loki:3100/loki/api/v1/push']);
    expect(config.scrape_configs.map((c) => c.job_name)).toEqual(['docker', 'lab']);
    expect(promtail).toMatch(/target_label: service/);
    expect(JSON.stringify(config.scrape_configs)).toContain('"labels":{"level":null}');
    const volumes = (name: string) => (service(base, name).volumes ?? []).map((v) => v.replace(root, './'));
    expect(volumes('promtail')).toContain(`./${composeStack.labLogDir}:/var/log/lab:ro`);
    expect(volumes('grafana')).toEqual([
      './dashboards/provisioning:/etc/grafana/provisioning:ro',
      './dashboards:/var/lib/grafana/dashboards:ro',
    ]);
    const providers = parse(
      readFileSync(`${root}dashboards/provisioning/dashboards/dashboards.yml`, 'utf8'),
    ) as {
      providers: { options: { path: string } }[];
    };
    expect(providers.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards');
  });

  it('marks every credential in the compose files as development-only', () => {
    for (const file of ['docker-compose.yml', 'docker-compose.chaos.yml']) {
      const lines = readFileSync(`${root}${file}`, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!/PASSWORD:|_PASS:|_URL: \w+:\/\/[^/@]+:[^/@]+@/.test(line)) return;
        const context = lines.slice(Math.max(0, i - 6), i).join('\n');
        expect(context, `${file}:${i + 1} ${line.trim()}`).toMatch(/development-only credentials/);
      });
    }
  });
});
