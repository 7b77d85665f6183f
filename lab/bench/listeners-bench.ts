// `npm run bench:listeners [-- --listeners 10000 --rate 2 --duration 30 --workers 4 --processes 2
// --library-share 0.1]`: holds N listeners (half SSE, half Socket.IO; of each, the library share on
// eventsource / socket.io-client and the rest on the lean clients, reported apart) in the lab's
// listener fleet against a notifications service of its own, publishes notifications straight to its exchange at a fixed rate and writes
// reports/bench/listeners.json: delivery and `notifications.latency` (intended publish → receipt,
// joined exactly as a scenario's writes are), server RSS per 1,000 listeners, server CPU per
// delivered notification, and the listener processes' lag and CPU, which decide `valid`.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { metricNames } from '../../contracts/service-metrics.ts';
import { transports, type Transport } from '../../contracts/transports.ts';
import { notificationMetrics } from '../experiment/standard-metrics.ts';
import { startListenerFleet, type ListenerFleet } from '../load/listener-fleet.ts';
import { histogramQuantile, sumSamples, type PromSample } from '../metrics/prometheus-text.ts';
import { parseListenersBenchArgs } from './listeners-bench-args.ts';
import {
  listenersBenchReport,
  listenersBenchText,
  type ListenersBenchInputs,
} from './listeners-bench-report.ts';
import {
  startNotificationsBenchTarget,
  type NotificationsBenchTarget,
} from './notifications-bench-target.ts';
import { publishAtRate } from './notification-publisher.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = (text: string): void => void process.stdout.write(`[bench] ${text}\n`);

const perTransport = (samples: PromSample[], name: string): Record<Transport, number> => ({
  sse: sumSamples(samples, name, { transport: 'sse' }) ?? 0,
  socketio: sumSamples(samples, name, { transport: 'socketio' }) ?? 0,
});

/** Server-side occurredAt → socket write per broadcast, as bucket-interpolated quantiles, ms. */
function serverPipelineMs(samples: PromSample[]): Record<Transport, { p50: string; p99: string }> {
  const ms = (t: Transport, q: number): string => {
    const sec = histogramQuantile(samples, metricNames.notificationsPipelineLatency, q, { transport: t });
    return sec === undefined ? 'n/a' : `~${Math.round(sec * 1000)}`;
  };
  return {
    sse: { p50: ms('sse', 0.5), p99: ms('sse', 0.99) },
    socketio: { p50: ms('socketio', 0.5), p99: ms('socketio', 0.99) },
  };
}

async function waitForReceipts(fleet: ListenerFleet, expected: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  const received = (): number => transports.reduce((sum, t) => sum + fleet.counters()[t].receipts, 0);
  while (received() < expected && Date.now() < until) await sleep(250);
}

async function measure(
  target: NotificationsBenchTarget,
  fleet: ListenerFleet,
  args: ReturnType<typeof parseListenersBenchArgs>,
  baselineRssBytes: number,
): Promise<ListenersBenchInputs> {
  const connectStartedMs = Date.now();
  await fleet.waitConnected(Math.max(60_000, (args.listeners / args.connectRatePerSec) * 3000));
  const connectSec = (Date.now() - connectStartedMs) / 1000;
  log(`${fleet.connected()} listeners connected in ${connectSec.toFixed(1)} s`);
  await sleep(2000); // let the connections settle before reading memory
  const withListenersBytes = await target.rssBytes();
  const before = await target.scrape();
  const windowStartMs = Date.now();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const published = await publishAtRate({
    amqpUrl: args.amqpUrl,
    exchange: target.exchange,
    ratePerSec: args.ratePerSec,
    durationSec: args.durationSec,
    runPrefix: `bench-${randomBytes(3).toString('hex')}`,
    onExpected: (notification) => fleet.expect([notification]),
  });
  // A backlog is reported as latency, not as loss: wait up to 2 min for the last receipts.
  await waitForReceipts(fleet, published.expected.length * fleet.connected(), 120_000);
  loop.disable();
  const windowMs = Date.now() - windowStartMs;
  const after = await target.scrape();
  await sleep(1200); // one more status, so every process's last health sample has arrived
  return {
    config: {
      listeners: args.listeners,
      ratePerSec: args.ratePerSec,
      durationSec: args.durationSec,
      workers: args.workers,
      processes: args.processes,
      libraryShare: args.libraryShare,
    },
    published: published.expected.length,
    publishedLate: published.late,
    connectSec,
    serverConnected: perTransport(before, metricNames.notificationsConnected),
    droppedByServer: sumSamples(after, metricNames.notificationsDropped) ?? 0,
    serverPipelineMs: serverPipelineMs(after),
    rss: { baselineBytes: baselineRssBytes, withListenersBytes },
    metrics: await notificationMetrics([fleet], published.expected, () => 'bench'),
    counters: fleet.counters(),
    countersByClient: fleet.countersByClient(),
    processes: fleet.processHealth({ fromMs: windowStartMs, toMs: windowStartMs + windowMs }),
    publisherLagMs: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    windowMs,
    cores: cpus().length,
    serverCpuSec: {
      before: sumSamples(before, 'process_cpu_seconds_total') ?? 0,
      after: sumSamples(after, 'process_cpu_seconds_total') ?? 0,
    },
  };
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseListenersBenchArgs>;
  try {
    args = parseListenersBenchArgs(process.argv.slice(2), {
      amqpUrl: process.env.AMQP_URL ?? defaultUrls.amqp,
      redisUrl: process.env.REDIS_URL ?? defaultUrls.redis,
    });
  } catch (error) {
    process.stderr.write(`bench:listeners: ${(error as Error).message.replace(/^bench:listeners: /, '')}\n`);
    process.exit(2);
  }
  log(
    `listeners=${args.listeners} rate=${args.ratePerSec}/s duration=${args.durationSec}s ` +
      `workers=${args.workers} processes=${args.processes} library-share=${args.libraryShare}`,
  );
  const target = await startNotificationsBenchTarget({
    repoRoot,
    amqpUrl: args.amqpUrl,
    redisUrl: args.redisUrl,
    processes: args.processes,
  });
  let fleet: ListenerFleet | undefined;
  try {
    const baselineRssBytes = await target.rssBytes();
    fleet = startListenerFleet({
      baseUrl: target.baseUrl,
      spreadOver: target.processUrls,
      sse: Math.ceil(args.listeners / 2),
      socketio: Math.floor(args.listeners / 2),
      runId: `bench-listeners-${process.pid}`,
      workers: args.workers,
      connectRatePerSec: args.connectRatePerSec,
      libraryShare: args.libraryShare,
    });
    const report = listenersBenchReport(await measure(target, fleet, args, baselineRssBytes), new Date());
    await mkdir(path.dirname(args.out), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${listenersBenchText(report)}\nwritten ${args.out}\n`);
  } finally {
    await fleet?.close();
    await target.close();
  }
}

await main();
