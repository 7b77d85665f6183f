// `npm run bench:worker`: messages per second through the worker at prefetch 1 and at a larger
// prefetch, in one run, against the real PostgreSQL, RabbitMQ and Redis. Each round pre-loads the
// queue, starts a fresh in-process worker and times delivery → ack of every message (each one a
// real transaction: claim + increment + outbox, cache write, then completion + outbox). Rounds
// alternate (1, 50, 1, 50, …) so a noisy neighbour hits both sides; the ratio reported is the median
// of the per-pair ratios. Writes reports/bench/worker.json. Options: BENCH_MESSAGES (default 1500),
// BENCH_PREFETCH (default 50), BENCH_ROUNDS (pairs, default 3).
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { assertWorkerTopology } from '../../system/shared/topology.ts';
import { createWorkerService, type WorkerService } from '../../system/worker/service.ts';
import {
  createTestBroker,
  createTestDatabase,
  domainEvent,
  insertStudent,
  testLogger,
  testWorkerConfig,
  type TestBroker,
  type TestDatabase,
} from '../../system/worker/testing/worker-test-env.ts';

const messages = Number(process.env.BENCH_MESSAGES ?? 1_500);
const largePrefetch = Number(process.env.BENCH_PREFETCH ?? 50);
const pairs = Number(process.env.BENCH_ROUNDS ?? 3);
const studentCount = 500;
const retryDelaysMs = [1_000];

interface RoundResult {
  prefetch: number;
  messages: number;
  seconds: number;
  messagesPerSec: number;
  /** Until the last notification of the round left the outbox, in seconds. */
  notifiedSeconds: number;
}

const processed = async (service: WorkerService) => {
  const metric = await service.testing.registry.getSingleMetric('worker_messages_total')?.get();
  return metric?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
};

const pendingOutbox = async (db: TestDatabase) =>
  Number(
    (
      await db.pool.query<{ n: string }>(
        "select count(*) as n from outbox where producer = 'worker' and published_at is null",
      )
    ).rows[0]?.n,
  );

async function round(
  db: TestDatabase,
  broker: TestBroker,
  ids: string[],
  prefetch: number,
): Promise<RoundResult> {
  const config = testWorkerConfig({
    DATABASE_URL: db.url,
    WORKER_TOPOLOGY_PREFIX: broker.prefix,
    WORKER_PREFETCH: String(prefetch),
    WORKER_RETRY_DELAYS_MS: retryDelaysMs.join(','),
    DB_POOL_SIZE: '20',
    WORKER_SHUTDOWN_TIMEOUT_MS: '10000',
  });
  await assertWorkerTopology(broker.channel, { names: broker.names, retryDelaysMs });
  for (let i = 0; i < messages; i++)
    broker.publishEvent(domainEvent('student.updated', ids[i % ids.length]!));
  await broker.waitFor(
    async () => (await broker.channel.checkQueue(broker.names.workerQueue)).messageCount >= messages,
    60_000,
    'the queue to fill',
  );
  const service = await createWorkerService(config, testLogger);
  const started = performance.now();
  await service.listen(0);
  await broker.waitFor(async () => (await processed(service)) >= messages, 600_000, 'every message');
  const seconds = (performance.now() - started) / 1_000;
  await broker.waitFor(async () => (await pendingOutbox(db)) === 0, 120_000, 'the outbox to drain');
  const notifiedSeconds = (performance.now() - started) / 1_000;
  await service.close();
  return { prefetch, messages, seconds, messagesPerSec: Math.round(messages / seconds), notifiedSeconds };
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const broker = await createTestBroker(retryDelaysMs);
  try {
    const ids = await Promise.all(
      Array.from({ length: studentCount }, () => insertStudent(db.pool, randomUUID())),
    );
    const results: RoundResult[] = [];
    const ratios: number[] = [];
    for (let pair = 1; pair <= pairs; pair++) {
      const [small, large] = [await round(db, broker, ids, 1), await round(db, broker, ids, largePrefetch)];
      results.push(small, large);
      const ratio = large.messagesPerSec / small.messagesPerSec;
      ratios.push(ratio);
      for (const r of [small, large])
        console.log(
          `round ${pair}/${pairs} prefetch ${String(r.prefetch).padStart(3)}: ${r.messagesPerSec} msg/s (${messages} messages in ${r.seconds.toFixed(2)} s; outbox drained at ${r.notifiedSeconds.toFixed(2)} s)`,
        );
      console.log(`round ${pair}/${pairs} ratio: ${ratio.toFixed(2)}×`);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const ratio = median(ratios);
    const rateOf = (prefetch: number) =>
      median(results.filter((r) => r.prefetch === prefetch).map((r) => r.messagesPerSec));
    console.log(
      `median: prefetch 1 = ${rateOf(1)} msg/s, prefetch ${largePrefetch} = ${rateOf(largePrefetch)} msg/s; ratio prefetch ${largePrefetch} / prefetch 1: ${ratio.toFixed(2)}× (median of ${pairs} pairs; target ≥ 3×)`,
    );
    const report = {
      benchmark: 'worker',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverage1m: os.loadavg()[0] },
      messagesPerRound: messages,
      rounds: results,
      pairRatios: ratios.map((r) => Math.round(r * 100) / 100),
      medianMessagesPerSec: { prefetch1: rateOf(1), [`prefetch${largePrefetch}`]: rateOf(largePrefetch) },
      ratio: Math.round(ratio * 100) / 100,
      target: 3,
      meetsTarget: ratio >= 3,
    };
    const file = path.join(process.cwd(), 'reports', 'bench', 'worker.json');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await broker.close();
    await db.drop();
  }
}

await main();
