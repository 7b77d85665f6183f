import { z } from 'zod';
import { defaultUrls } from '../contracts/default-urls.ts';
import { notificationsProcesses } from '../contracts/haproxy-config.ts';
import { defaultScrapeTargets } from './observe/prometheus-runner.ts';

// The environment variables the lab and its commands read, where they use them (each reading site
// keeps its own fallback and error message). This schema describes them for docs/configuration.md
// (`npm run docs:config`); a unit test checks that every variable read under lab/ and scenarios/
// is here with the same default. Same metadata as the services' schemas: `protocols`, `accepts`.

const int = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const url = (fallback: string, protocols: string[]) =>
  z
    .string()
    .default(fallback)
    .refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol), {
      message: `must be a URL with protocol ${protocols.join(' or ')}`,
    })
    .meta({ protocols });

const scrapeTarget = (job: string) =>
  z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/)
    .default(defaultScrapeTargets.find((t) => t.job === job)?.address ?? '')
    .meta({ accepts: '`host:port`' });

const optionalText = () => z.string().optional();

export const labEnvSchema = z.object({
  LAB_METRICS_PORT: int(9464, 0, 65535).describe(
    "Port of the lab's own `/metrics` while a scenario runs (`npm run observe` scrapes it as `lab`); 0 = any free port.",
  ),
  LAB_NODE_ARGS: z
    .string()
    .default('')
    .meta({ accepts: 'node flags, separated by spaces' })
    .describe(
      'Extra node flags for every service process the lab starts, including those NODE_OPTIONS refuses, e.g. `--cpu-prof --cpu-prof-dir=reports/profiles`.',
    ),
  LAB_SERVICE_ENV: optionalText()
    .meta({ accepts: 'JSON: service → variable → value' })
    .describe(
      'Extra environment for the services a run starts, e.g. `{"api": {"DEDUPE_MODE": "coalesce"}}`; a comparison sets it for each side.',
    ),
  LAB_PROXY_SHARDS: int(2, 1, 64).describe(
    "Shard processes of the local target's fault proxy: every listener's two sockets live in a shard, so 10,000 listeners never meet one process's fd limit.",
  ),
  NOTIFICATIONS_PROCESSES: int(notificationsProcesses.default, 1, notificationsProcesses.max).describe(
    "Notifications processes the local target starts (also read from the run's notifications environment); above 1, on free ports with HAProxy in front, where the fault proxy's `notifications` proxy leads.",
  ),
  NOTIFICATIONS_FIRST_PROCESS_PORT: int(notificationsProcesses.firstPort, 1, 65535).describe(
    '`npm run observe` with `NOTIFICATIONS_PROCESSES` above 1: the first process port `npm start` used; each process is scraped.',
  ),
  LAB_LISTENER_STALL_MS: int(0, 0).describe(
    'Every listener process blocks its own event loop this long every half second, in milliseconds: a starved generator on purpose, to check that such a run is declared invalid; 0 = never.',
  ),
  DATABASE_URL: url(defaultUrls.database, ['postgres:', 'postgresql:']).describe(
    "The PostgreSQL the local target's fault proxy forwards to (the services get the proxy's address); the local target runs on PostgreSQL only.",
  ),
  AMQP_URL: url(defaultUrls.amqp, ['amqp:', 'amqps:']).describe(
    "The RabbitMQ the local target's fault proxy forwards to (the services get the proxy's address), and the benchmarks use.",
  ),
  REDIS_URL: url(defaultUrls.redis, ['redis:', 'rediss:']).describe(
    "The Redis the local target's fault proxy forwards to (the services get the proxy's address), and the benchmarks use.",
  ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('The `LOG_LEVEL` the local target gives the services it starts.'),
  LAB_API_URL: url('http://localhost:5000', ['http:', 'https:']).describe('The API of the `compose` target.'),
  LAB_WORKER_URL: url('http://localhost:5002', ['http:', 'https:']).describe(
    "The worker's health and metrics of the `compose` target.",
  ),
  LAB_NOTIFICATIONS_URL: url('http://localhost:5001', ['http:', 'https:']).describe(
    'The notifications service of the `compose` target, directly (listeners go through Toxiproxy).',
  ),
  TOXIPROXY_URL: url('http://localhost:8474', ['http:', 'https:']).describe(
    "Toxiproxy's API of the `compose` target.",
  ),
  LAB_DATABASE_PROXY: z
    .enum(['mssql', 'postgres'])
    .default('mssql')
    .describe(
      "The Toxiproxy proxy in front of the `compose` stack's database: `postgres` when the stack runs PostgreSQL.",
    ),
  OBSERVE_API: scrapeTarget('api').describe(
    '`npm run observe`: where the API serves `/metrics` (or `--api`).',
  ),
  OBSERVE_NOTIFICATIONS: z
    .string()
    .regex(/^[^\s:,]+:\d{1,5}(,[^\s:,]+:\d{1,5})*$/)
    .default(defaultScrapeTargets.find((t) => t.job === 'notifications')?.address ?? '')
    .meta({ accepts: '`host:port`, several separated by commas' })
    .describe(
      '`npm run observe`: where the notifications service serves `/metrics` (or `--notifications`); with `NOTIFICATIONS_PROCESSES` above 1, every process from `NOTIFICATIONS_FIRST_PROCESS_PORT` on.',
    ),
  OBSERVE_WORKER: scrapeTarget('worker').describe(
    '`npm run observe`: where the worker serves `/metrics` (or `--worker`).',
  ),
  OBSERVE_LAB: scrapeTarget('lab').describe(
    '`npm run observe`: where the lab serves `/metrics` while a scenario runs (or `--lab`).',
  ),
  OBSERVE_PORT: int(9090, 0, 65535).describe(
    '`npm run observe`: port of its Prometheus (or `--port`); 0 = any free port.',
  ),
  BENCH_CONNECTIONS: int(50, 1).describe(
    '`npm run bench:api`: connections autocannon keeps open per target.',
  ),
  BENCH_DURATION_SEC: int(10, 1).describe(
    '`npm run bench:api`: how long each target is loaded per round, in seconds.',
  ),
  BENCH_RELAY_MESSAGES: int(20_000, 1).describe(
    '`npm run bench:api`: messages the outbox relay and bare amqplib each publish.',
  ),
  BENCH_ROUNDS: int(3, 1).describe(
    '`npm run bench:api`: interleaved rounds over the targets (the median counts); `npm run bench:worker`: pairs of runs (prefetch 1, then `BENCH_PREFETCH`).',
  ),
  BENCH_MESSAGES: int(1_500, 1).describe('`npm run bench:worker`: messages per run.'),
  BENCH_PREFETCH: int(50, 1).describe(
    '`npm run bench:worker`: the larger prefetch compared with prefetch 1.',
  ),
  NO_COLOR: optionalText().describe('Any non-empty value turns the verdict colours of a summary off.'),
  TERM: optionalText().describe('`dumb` turns the verdict colours of a summary off.'),
  GITHUB_STEP_SUMMARY: optionalText().describe(
    'Set by GitHub Actions: a comparison appends its markdown report to this file.',
  ),
});
