// `npm run bench:listeners [-- --listeners 10000 --rate 2 --duration 30 --workers 4]`: holds N
// listeners (half SSE, half Socket.IO) in worker processes against a notifications service started
// as a child process, publishes notifications at a fixed rate and reports delivery, end-to-end
// latency (HDR histograms merged), service RSS per 1,000 listeners and the generator's loop lag.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { connect } from 'amqplib';
import * as hdr from 'hdr-histogram-js';
import { Redis } from 'ioredis';
import { defaultUrls } from '../../../contracts/default-urls.ts';
import { makeEnvelope } from '../testing/notifications-harness.ts';
import { startBenchTarget, type BenchTarget } from './bench-target.ts';
import {
  histogramOptions,
  type FromWorker,
  type ListenerWorkerReport,
  type ToWorker,
} from './bench-protocol.ts';
import { summarize } from './bench-summary.ts';
import { publishOptionsFor } from '../../shared/amqp-publish.ts';

const { values: args } = parseArgs({
  options: {
    listeners: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '2' },
    duration: { type: 'string', default: '30' },
    workers: { type: 'string', default: '4' },
    out: { type: 'string', default: 'reports/bench/listeners.json' },
  },
});
const listeners = Number(args.listeners);
const ratePerSec = Number(args.rate);
const durationSec = Number(args.duration);
const workerCount = Number(args.workers);
const amqpUrl = process.env.AMQP_URL ?? defaultUrls.amqp;
const redisUrl = process.env.REDIS_URL ?? defaultUrls.redis;
const log = (text: string) => process.stdout.write(`[bench] ${text}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Worker {
  child: ChildProcess;
  next(kind: FromWorker['kind']): Promise<FromWorker>;
  send(message: ToWorker): void;
}

function startWorker(target: BenchTarget, index: number): Worker {
  const share = (total: number) => Math.floor(total / workerCount) + (index < total % workerCount ? 1 : 0);
  const plan = {
    baseUrl: target.baseUrl,
    sse: share(Math.ceil(listeners / 2)),
    socketio: share(Math.floor(listeners / 2)),
    localAddress: `127.0.0.${2 + index}`,
    connectConcurrency: 50,
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'system/notifications/bench/listener-worker.ts'],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, BENCH_PLAN: JSON.stringify(plan) },
    },
  );
  const inbox: FromWorker[] = [];
  const waiting: ((m: FromWorker) => void)[] = [];
  child.on('message', (m: FromWorker) => (waiting.length > 0 ? waiting.shift()?.(m) : inbox.push(m)));
  return {
    child,
    next: (kind) =>
      new Promise((resolve, reject) => {
        const queued = inbox.shift();
        if (queued) return queued.kind === kind ? resolve(queued) : reject(new Error(`expected ${kind}`));
        waiting.push(resolve);
      }),
    send: (message) => child.send(message),
  };
}

async function publishAtRate(exchange: string): Promise<number> {
  const model = await connect(amqpUrl);
  const channel = await model.createConfirmChannel();
  const total = Math.round(ratePerSec * durationSec);
  const startedAt = Date.now();
  for (let i = 0; i < total; i++) {
    // Drift-free schedule: notification i leaves at startedAt + i / rate.
    await sleep(Math.max(0, startedAt + (i * 1000) / ratePerSec - Date.now()));
    const envelope = makeEnvelope({ producer: 'bench', correlationId: `bench-${i}` });
    channel.publish(
      exchange,
      envelope.type,
      Buffer.from(JSON.stringify(envelope)),
      publishOptionsFor(envelope),
    );
  }
  await channel.waitForConfirms();
  await channel.deleteExchange(exchange).catch(() => undefined);
  await model.close();
  return total;
}

async function waitDelivered(target: BenchTarget, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await target.metric('notifications_deliveries_total')) < expected)
    await sleep(250);
  await sleep(2_000); // written by the server; give the listeners time to read the last ones
}

/** Server-side occurredAt → last socket write, per broadcast: bucket upper bounds, in milliseconds. */
async function serverPipeline(target: BenchTarget): Promise<Record<string, { p50: string; p99: string }>> {
  const name = 'notifications_pipeline_latency_seconds';
  const bound = async (q: number, labels: string) => {
    const seconds = await target.histogramQuantile(name, q, labels);
    return Number.isFinite(seconds) ? `<=${seconds * 1000}` : '>120000';
  };
  const result: Record<string, { p50: string; p99: string }> = {};
  for (const transport of ['sse', 'socketio']) {
    const labels = `transport="${transport}"`;
    result[transport] = { p50: await bound(0.5, labels), p99: await bound(0.99, labels) };
  }
  return result;
}

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const exchange = `bench.notifications.${suffix}`;
  const streamKey = `bench:notifications:${suffix}`;
  log(`listeners=${listeners} rate=${ratePerSec}/s duration=${durationSec}s workers=${workerCount}`);
  const target = await startBenchTarget({ NOTIFICATIONS_EXCHANGE: exchange, REPLAY_STREAM_KEY: streamKey });
  const workers: Worker[] = [];
  try {
    const baselineRss = await target.rssBytes();
    const connectStarted = Date.now();
    for (let i = 0; i < workerCount; i++) workers.push(startWorker(target, i));
    const connected = await Promise.all(workers.map((w) => w.next('connected')));
    const connectSec = (Date.now() - connectStarted) / 1000;
    log(`connected in ${connectSec.toFixed(1)} s: ${JSON.stringify(connected)}`);
    await sleep(3_000);
    const rss = await target.rssBytes();
    const serverConnected = {
      sse: await target.metric('notifications_connected_clients', 'transport="sse"'),
      socketio: await target.metric('notifications_connected_clients', 'transport="socketio"'),
    };
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    for (const w of workers) w.send({ kind: 'start-measuring' });
    const published = await publishAtRate(exchange);
    // A backlog is reported as latency, not as loss: wait up to 2 min for the server to catch up.
    await waitDelivered(target, published * (serverConnected.sse + serverConnected.socketio), 120_000);
    loop.disable();
    for (const w of workers) w.send({ kind: 'report' });
    const reports = (await Promise.all(workers.map((w) => w.next('report')))).map(
      (m) => (m as Extract<FromWorker, { kind: 'report' }>).report,
    );
    const result = summarize({
      listeners,
      ratePerSec,
      durationSec,
      workers: workerCount,
      published,
      connectSec,
      serverConnected,
      rss: { baselineBytes: baselineRss, withListenersBytes: rss },
      reports,
      orchestratorLoopLagMs: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      dropped: await target.metric('notifications_dropped_clients_total'),
      serverPipelineMs: await serverPipeline(target),
      merge: (encoded: string[]) => {
        const merged = hdr.build(histogramOptions);
        for (const e of encoded) merged.add(hdr.decodeFromCompressedBase64(e));
        return merged;
      },
    });
    await mkdir('reports/bench', { recursive: true });
    await writeFile(args.out, `${JSON.stringify(result.json, null, 2)}\n`);
    process.stdout.write(`${result.text}\nwritten ${args.out}\n`);
  } finally {
    for (const w of workers) w.send({ kind: 'stop' });
    await Promise.all(
      workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(0) : w.child.once('exit', r)))),
    );
    await target.stop();
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${streamKey}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}

export type { ListenerWorkerReport };
await main();
