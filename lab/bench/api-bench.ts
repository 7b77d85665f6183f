// `npm run bench:api`: cached GET /api/students/{id} against a bare node:http and a bare express
// endpoint (autocannon, same settings, one run), and the outbox relay against bare amqplib.
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { BenchTargets } from './api-bench-targets.ts';
import { benchBareAmqplib, benchOutboxRelay } from './relay-bench.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const settings = {
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  duration: Number(process.env.BENCH_DURATION_SEC ?? 10),
  pipelining: 1,
};
const relayMessages = Number(process.env.BENCH_RELAY_MESSAGES ?? 20_000);

interface HttpResult {
  target: string;
  url: string;
  requestsPerSec: number;
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

async function load(target: string, url: string): Promise<HttpResult> {
  await autocannon({ url, connections: 10, duration: 1 }); // warm-up (JIT, sockets)
  const r = await autocannon({ url, ...settings });
  return {
    target,
    url,
    requestsPerSec: r.requests.average,
    latency: { p50: r.latency.p50, p99: r.latency.p99 },
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function dedupeCached(api: string): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('dedupe_requests_total') && l.includes('outcome="cached"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const child = fork(path.join(here, 'api-bench-targets.ts'), {
  execArgv: ['--import', 'tsx'],
  stdio: 'inherit',
});
const targets = await new Promise<BenchTargets>((resolve, reject) => {
  child.once('message', (m) => resolve(m as BenchTargets));
  child.once('exit', (code) => reject(new Error(`bench targets exited with ${code}`)));
});
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const samples: HttpResult[][] = [[], [], []];
let cachedHits = 0;
try {
  // Interleaved rounds, median per target: the machine is shared, so load drifts during a run.
  for (let round = 0; round < rounds; round++) {
    samples[0]!.push(await load('bare node:http', `${targets.bareHttp}${targets.studentPath}`));
    samples[1]!.push(await load('bare express', `${targets.bareExpress}${targets.studentPath}`));
    const before = await dedupeCached(targets.api);
    samples[2]!.push(await load('api cached GET', `${targets.api}${targets.studentPath}`));
    cachedHits += (await dedupeCached(targets.api)) - before;
  }
} finally {
  child.send('stop');
}
const median = (results: HttpResult[]) =>
  [...results].sort((a, b) => a.requestsPerSec - b.requestsPerSec)[Math.floor(results.length / 2)]!;
const http = samples.map(median);
const [bare, bareExpress, api] = http as [HttpResult, HttpResult, HttpResult];
const bareAmqp = await benchBareAmqplib(relayMessages);
const relay = await benchOutboxRelay(relayMessages);

const report = {
  at: new Date().toISOString(),
  settings: { ...settings, rounds },
  http,
  rounds: samples.map((s) => s.map((r) => Math.round(r.requestsPerSec))),
  ratios: {
    expressVsBare: bareExpress.requestsPerSec / bare.requestsPerSec,
    apiCachedVsBare: api.requestsPerSec / bare.requestsPerSec,
    apiCachedVsExpress: api.requestsPerSec / bareExpress.requestsPerSec,
  },
  apiCacheHits: cachedHits,
  publish: { bareAmqplib: bareAmqp, outboxRelay: relay, relayVsBare: relay.perSecond / bareAmqp.perSecond },
  targets: { apiCachedVsBare: 0.5, relayVsBare: 0.5 },
};
const out = path.resolve(here, '../../reports/bench/api.json');
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);

const fmt = (n: number) => n.toFixed(0).padStart(8);
console.log(
  `\nautocannon: ${settings.connections} connections, ${settings.duration} s, pipelining ${settings.pipelining}`,
);
console.log(`median of ${rounds} interleaved rounds per target`);
console.log('target              req/s     p50 ms   p99 ms   non2xx');
for (const r of http) {
  console.log(
    `${r.target.padEnd(18)}${fmt(r.requestsPerSec)} ${fmt(r.latency.p50)} ${fmt(r.latency.p99)} ${fmt(r.non2xx)}`,
  );
}
console.log(`api cache hits counted by the API: ${cachedHits}`);
console.log(
  `ratios: express/bare ${report.ratios.expressVsBare.toFixed(2)}, api cached/bare ${report.ratios.apiCachedVsBare.toFixed(2)} (target ≥ 0.5), api cached/express ${report.ratios.apiCachedVsExpress.toFixed(2)}`,
);
console.log(
  `publish: bare amqplib ${fmt(bareAmqp.perSecond)} msg/s, outbox relay ${fmt(relay.perSecond)} msg/s, relay/bare ${report.publish.relayVsBare.toFixed(2)} (target ≥ 0.5)`,
);
console.log(`written to ${path.relative(process.cwd(), out)}`);
