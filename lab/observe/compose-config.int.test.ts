import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeStack } from './compose-stack.ts';

// Validates docker-compose.yml (+ the chaos and PostgreSQL overlays) with Debian's docker-compose
// v1.29 — the engine is not needed for `config` — and checks the facts the lab and the dashboards rely on.
const root = new URL('../../', import.meta.url).pathname;

interface ComposeService {
  image?: string;
  command?: string[];
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  /** docker-compose v1 prints `127.0.0.1:5000:5000/tcp` strings for ports bound to one address. */
  ports?: ({ published: number | string; target: number } | string)[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  volumes?: string[];
  extra_hosts?: string[];
  profiles?: string[];
  hostname?: string;
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
const longRunning = [
  ...apps,
  'notifications-lb',
  'mssql',
  'postgres',
  'rabbitmq',
  'redis',
  'prometheus',
  'loki',
  'alloy',
  'tempo',
  'grafana',
];
const composeFiles = [
  'docker-compose.yml',
  'docker-compose.chaos.yml',
  'docker-compose.postgres.yml',
  'docker-compose.chaos.postgres.yml',
];

/** Every service `name` waits for, directly or through others. */
function dependenciesOf(config: ComposeConfig, name: string, seen = new Set<string>()): Set<string> {
  for (const dependency of Object.keys(service(config, name).depends_on ?? {})) {
    if (seen.has(dependency)) continue;
    seen.add(dependency);
    dependenciesOf(config, dependency, seen);
  }
  return seen;
}

/**
 * Whether an image reference names one release: a tag that is neither `latest` nor a bare major
 * (`7-alpine`, `3-management`), i.e. major.minor at least (PostgreSQL numbers its releases so) or
 * SQL Server's cumulative update. The services' own images are built here and tagged `local`.
 */
function pinnedTag(image: string): boolean {
  const tag = /^[^@]+:([\w.-]+)$/.exec(image)?.[1];
  if (tag === undefined || tag === 'latest') return false;
  if (/^event-lab-[a-z]+:local$/.test(image)) return true;
  return /^v?\d+(\.\d+)+(-[a-z][\w.]*)*$/.test(tag) || /^\d{4}-CU\d+(-[\w.]+)*$/.test(tag);
}

describe('docker-compose files', () => {
  let base: ComposeConfig;
  let chaos: ComposeConfig;
  let postgres: ComposeConfig;
  let postgresChaos: ComposeConfig;
  beforeAll(() => {
    const tools = run('bash', ['lab/observe/ensure-tools.sh', 'docker-compose', 'prometheus']);
    expect(tools.status, tools.stderr).toBe(0);
    base = composeConfig('docker-compose.yml');
    chaos = composeConfig('docker-compose.yml', 'docker-compose.chaos.yml');
    postgres = composeConfig('docker-compose.yml', 'docker-compose.postgres.yml');
    postgresChaos = composeConfig(
      'docker-compose.yml',
      'docker-compose.chaos.yml',
      'docker-compose.postgres.yml',
      'docker-compose.chaos.postgres.yml',
    );
  }, 300_000);

  it('defines the system, its dependencies and the observability stack on the documented ports', () => {
    expect(Object.keys(base.services).sort()).toEqual([...longRunning, 'db-init'].sort());
    const published = (name: string) => (service(base, name).ports ?? []).map((p) => portOf(p).published);
    expect(published('api')).toEqual([5000]);
    // The replicas are reached through their balancer.
    expect(published('notifications')).toEqual([]);
    expect(published('notifications-lb')).toEqual([5001]);
    expect(published('worker')).toEqual([5002]);
    expect(published('prometheus')).toEqual([9090]);
    expect(published('grafana')).toEqual([3000]);
    expect(published('loki')).toEqual([3100]);
    expect(published('rabbitmq')).toEqual([5672, 15672]);
    expect(published('postgres')).toEqual([5432]);
    expect(published('alloy')).toEqual([12345]);
    expect(published('tempo')).toEqual([3200, 4317, 4318]);
    expect(service(base, 'mssql').image).toMatch(/^mcr\.microsoft\.com\/mssql\/server:2022-CU\d+-/);
    expect(service(base, 'rabbitmq').image).toMatch(/^rabbitmq:[\d.]+-management$/);
  });

  it('pins every image to one release', () => {
    expect(pinnedTag('redis:7-alpine')).toBe(false);
    expect(pinnedTag('rabbitmq:3-management')).toBe(false);
    expect(pinnedTag('mcr.microsoft.com/mssql/server:2022-latest')).toBe(false);
    expect(pinnedTag('grafana/alloy')).toBe(false);
    expect(pinnedTag('postgres:17.11-alpine')).toBe(true);
    for (const config of [base, chaos, postgres, postgresChaos])
      for (const [name, svc] of Object.entries(config.services))
        expect(pinnedTag(svc.image ?? ''), `${name}: ${svc.image}`).toBe(true);
  });

  it('keeps volumes for the databases, RabbitMQ and Alloy', () => {
    // docker-compose v1 prints named volumes with their default mode, `:rw`.
    const volumes = (name: string) => (service(base, name).volumes ?? []).map((v) => v.replace(/:rw$/, ''));
    expect(volumes('mssql')).toContain('mssql-data:/var/opt/mssql');
    expect(volumes('postgres')).toContain('postgres-data:/var/lib/postgresql/data');
    expect(volumes('rabbitmq')).toContain('rabbitmq-data:/var/lib/rabbitmq');
    expect(volumes('alloy')).toContain('alloy-data:/var/lib/alloy/data');
    // RabbitMQ keeps its data under rabbit@<hostname>: a random container hostname would orphan it.
    expect(service(base, 'rabbitmq').hostname).toBe('rabbitmq');
  });

  it('publishes every port on the loopback interface only', () => {
    for (const config of [base, chaos, postgres, postgresChaos])
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
    // PostgreSQL is optional: only its profile, or naming it, starts it.
    expect(service(base, 'postgres').profiles).toEqual(['postgres']);
    expect(service(base, 'postgres').healthcheck?.test?.join(' ')).toContain('pg_isready');
  });

  it('points the services at PostgreSQL in the PostgreSQL variant, without starting SQL Server', () => {
    for (const [config, host] of [
      [postgres, 'postgres:5432'],
      // With Toxiproxy, through its `postgres` proxy, where the lab's database faults act.
      [postgresChaos, 'toxiproxy:25432'],
    ] as const) {
      for (const name of ['api', 'worker']) {
        const url = new URL(service(config, name).environment?.DATABASE_URL ?? '');
        expect(`${url.protocol}//${url.host}${url.pathname}`, name).toBe(`postgres://${host}/lab`);
        const waitsFor = dependenciesOf(config, name);
        expect(waitsFor.has('postgres'), name).toBe(true);
        expect(waitsFor.has('mssql'), name).toBe(false);
      }
      expect(dependenciesOf(config, 'notifications').has('mssql')).toBe(false);
      // Out of every profile `--profile postgres` enables, so `up` leaves it stopped.
      expect(service(config, 'mssql').profiles).toEqual(['mssql']);
      expect(service(config, 'postgres').profiles).toEqual(['postgres']);
      expect(service(config, 'db-init').depends_on?.postgres?.condition).toBe('service_healthy');
    }
    // The SQL Server stack never depends on PostgreSQL.
    for (const name of apps) expect(dependenciesOf(chaos, name).has('postgres'), name).toBe(false);
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
    expect(composeStack.proxies.postgres.upstream).toBe(
      hostPort(service(postgres, 'api').environment?.DATABASE_URL),
    );
    expect(`toxiproxy:${composeStack.proxies.postgres.listen.split(':')[1]}`).toBe(
      hostPort(service(postgresChaos, 'api').environment?.DATABASE_URL),
    );
    expect(new URL(composeStack.notificationsProxiedUrl).port).toBe('25001');
  });

  it('has Prometheus scrape the services and the lab on the host, and passes promtool', () => {
    const check = run('promtool', ['check', 'config', 'deploy/prometheus.yml']);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const config = parse(readFileSync(`${root}deploy/prometheus.yml`, 'utf8')) as {
      scrape_configs: {
        job_name: string;
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; type: string; port: number }[];
      }[];
    };
    const targets = Object.fromEntries(
      config.scrape_configs.map((c) => [
        c.job_name,
        [
          ...(c.static_configs ?? []).flatMap((s) => s.targets),
          ...(c.dns_sd_configs ?? []).flatMap((d) => d.names.map((name) => `${d.type} ${name}:${d.port}`)),
        ],
      ]),
    );
    expect(targets).toMatchObject({
      api: ['api:5000'],
      worker: ['worker:5002'],
      // Every replica: one A record per replica of the service.
      notifications: ['A notifications:5001'],
      lab: [`host.docker.internal:${composeStack.labMetricsPort}`],
    });
    expect(service(base, 'prometheus').extra_hosts).toContain('host.docker.internal:host-gateway');
  });

  it('ships container and lab logs to Loki with service and level labels, and mounts Grafana provisioning', () => {
    // No Alloy binary here to validate it: check the facts the dashboards rely on, and that every
    // bracket outside a string closes.
    const alloy = readFileSync(`${root}deploy/alloy/config.alloy`, 'utf8');
    expect(unbalancedBrackets(alloy)).toBe('');
    expect([...alloy.matchAll(/url\s*=\s*"([^"]+)"/g)].map((m) => m[1])).toEqual([
      'http://loki:3100/loki/api/v1/push',
    ]);
    expect(alloy).toMatch(
      /source_labels = \["__meta_docker_container_label_com_docker_compose_service"\]\s+target_label\s+= "service"/,
    );
    expect(alloy).toMatch(/selector = "\{service=~\\"api\|worker\|notifications\\"\}"/);
    expect(alloy).toMatch(/stage\.labels \{\s+values = \{\s+level = "",\s+\}/);
    expect(alloy).toMatch(/format\s+= "RFC3339Nano"/);
    expect(alloy).toMatch(
      /__path__ = "\/var\/log\/lab\/\*\/annotations-\*\.jsonl",\s+service\s+= "lab",\s+level\s+= "info",/,
    );
    expect(alloy).toMatch(/format\s+= "UnixMs"/);
    const volumes = (name: string) => (service(base, name).volumes ?? []).map((v) => v.replace(root, './'));
    expect(volumes('alloy')).toContain('./deploy/alloy/config.alloy:/etc/alloy/config.alloy:ro');
    expect(volumes('alloy')).toContain(`./${composeStack.labLogDir}:/var/log/lab:ro`);
    expect(volumes('alloy')).toContain('/var/run/docker.sock:/var/run/docker.sock:ro');
    expect(service(base, 'alloy').depends_on?.loki?.condition).toBe('service_healthy');
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

  it('sends every service’s traces to Tempo, pinned to one release, without waiting for it', () => {
    const tempo = service(base, 'tempo');
    expect(tempo.image).toMatch(/^grafana\/tempo:\d+\.\d+\.\d+$/);
    for (const config of [base, chaos, postgres, postgresChaos])
      for (const name of apps) {
        const endpoint = new URL(service(config, name).environment?.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'none:');
        expect(`${endpoint.protocol}//${endpoint.host}${endpoint.pathname}`, name).toBe('http://tempo:4318/');
      }
    // The services start without Tempo: a missing collector costs spans, never requests.
    for (const name of apps) expect(dependenciesOf(base, name).has('tempo'), name).toBe(false);
    expect(service(base, 'grafana').depends_on?.tempo?.condition).toBe('service_healthy');
  });

  it('runs Tempo with OTLP receivers on 4318 and 4317, local storage and a short retention', () => {
    const tempo = service(base, 'tempo');
    expect(tempo.command).toEqual(['-config.file=/etc/tempo/tempo.yml']);
    const volumes = (tempo.volumes ?? []).map((v) => v.replace(root, './').replace(/:rw$/, ''));
    expect(volumes).toEqual(['./deploy/tempo.yml:/etc/tempo/tempo.yml:ro', 'tempo-data:/var/tempo']);
    const config = parse(readFileSync(`${root}deploy/tempo.yml`, 'utf8')) as {
      server: { http_listen_port: number };
      distributor: { receivers: { otlp: { protocols: Record<string, { endpoint: string }> } } };
      compactor: { compaction: { block_retention: string } };
      storage: { trace: { backend: string } };
      metrics_generator?: unknown;
    };
    expect(config.distributor.receivers.otlp.protocols).toEqual({
      http: { endpoint: '0.0.0.0:4318' },
      grpc: { endpoint: '0.0.0.0:4317' },
    });
    expect(config.storage.trace.backend).toBe('local');
    const retentionHours = /^(\d+)h$/.exec(config.compactor.compaction.block_retention)?.[1];
    expect(Number(retentionHours)).toBeGreaterThan(0);
    expect(Number(retentionHours)).toBeLessThanOrEqual(7 * 24);
    expect(config.metrics_generator).toBeUndefined();
  });

  it('provisions a Tempo datasource, which Prometheus exemplars link to by its uid', () => {
    const tempoPort = (
      parse(readFileSync(`${root}deploy/tempo.yml`, 'utf8')) as { server: { http_listen_port: number } }
    ).server.http_listen_port;
    const { datasources } = parse(
      readFileSync(`${root}dashboards/provisioning/datasources/datasources.yml`, 'utf8'),
    ) as {
      datasources: {
        type: string;
        uid?: string;
        url: string;
        jsonData?: { exemplarTraceIdDestinations?: { name: string; datasourceUid: string }[] };
      }[];
    };
    // Stable uids: the dashboards and the exemplar link name data sources by uid, never by name.
    const uids = datasources.map((d) => d.uid);
    for (const uid of uids) expect(uid).toMatch(/^[\w-]+$/);
    expect(new Set(uids).size).toBe(uids.length);
    const tempoSource = datasources.filter((d) => d.type === 'tempo');
    expect(tempoSource).toHaveLength(1);
    expect(hostPort(tempoSource[0]?.url)).toBe(`tempo:${tempoPort}`);
    const prometheus = datasources.find((d) => d.type === 'prometheus');
    expect(prometheus?.jsonData?.exemplarTraceIdDestinations).toContainEqual({
      name: 'trace_id',
      datasourceUid: tempoSource[0]?.uid,
    });
  });

  it('reads only variables that .env.example documents, each under a comment', () => {
    const lines = readFileSync(`${root}.env.example`, 'utf8').split('\n');
    const documented = new Map<string, string>();
    lines.forEach((line, i) => {
      const name = /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
      if (name) documented.set(name, lines[i - 1] ?? '');
    });
    for (const file of composeFiles) {
      const text = readFileSync(`${root}${file}`, 'utf8');
      for (const [, name] of text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)) {
        expect(documented.has(name ?? ''), `${file}: ${name}`).toBe(true);
        expect(documented.get(name ?? ''), `${name} has no comment line above it`).toMatch(/^#/);
      }
    }
  });

  it('marks every credential in the compose files as development-only', () => {
    for (const file of composeFiles) {
      const lines = readFileSync(`${root}${file}`, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!/PASSWORD:|_PASS:|_URL: \w+:\/\/[^/@]+:[^/@]+@/.test(line)) return;
        const context = lines.slice(Math.max(0, i - 6), i).join('\n');
        expect(context, `${file}:${i + 1} ${line.trim()}`).toMatch(/development-only credentials/);
      });
    }
  });
});

/** The brackets of Alloy's configuration syntax left open or closed twice, ignoring strings and comments. */
function unbalancedBrackets(text: string): string {
  const pairs: Record<string, string> = { '}': '{', ']': '[', ')': '(' };
  const open: string[] = [];
  const code = text.replace(/"(?:[^"\\\n]|\\.)*"/g, '""').replace(/\/\/.*$/gm, '');
  for (const char of code) {
    if ('{[('.includes(char)) open.push(char);
    else if (char in pairs && open.pop() !== pairs[char]) return `unexpected ${char}`;
  }
  return open.join('');
}
