// `npm run bench:memory [-- --sse N --socketio N]`: what N idle
// connections of each kind cost a notifications process of its own. Prints its RSS and used heap
// (from its /metrics) before and after the listeners connect, and the difference per connection.
// Separates the two transports' memory, which bench:listeners reports only together.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { startListenerFleet } from '../load/listener-fleet.ts';
import { sumSamples } from '../metrics/prometheus-text.ts';
import { startNotificationsBenchTarget } from './notifications-bench-target.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function countOf(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`connection-memory: --${name} must be a whole number >= 0 (got "${raw}")\n`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: { sse: { type: 'string', default: '5000' }, socketio: { type: 'string', default: '0' } },
});
const sse = countOf('sse', values.sse);
const socketio = countOf('socketio', values.socketio);
const target = await startNotificationsBenchTarget({
  repoRoot,
  amqpUrl: process.env.AMQP_URL ?? defaultUrls.amqp,
  redisUrl: process.env.REDIS_URL ?? defaultUrls.redis,
});
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const measure = async (): Promise<{ rss: number; heap: number }> => ({
  rss: await target.rssBytes(),
  heap: sumSamples(await target.scrape(), 'nodejs_heap_size_used_bytes') ?? 0,
});
try {
  await sleep(2000);
  const before = await measure();
  const fleet = startListenerFleet({
    baseUrl: target.baseUrl,
    sse,
    socketio,
    runId: `connection-memory-${process.pid}`,
    workers: 2,
    libraryShare: 0,
  });
  try {
    await fleet.waitConnected(120_000);
    await sleep(5000); // let the connections settle
    const after = await measure();
    const per = (bytes: number): string => `${(bytes / Math.max(1, sse + socketio) / 1e3).toFixed(1)} KB`;
    process.stdout.write(
      `${sse} SSE + ${socketio} Socket.IO connections\n` +
        `RSS ${mb(before.rss)} → ${mb(after.rss)} MB (${per(after.rss - before.rss)} per connection)\n` +
        `used heap ${mb(before.heap)} → ${mb(after.heap)} MB (${per(after.heap - before.heap)} per connection)\n`,
    );
  } finally {
    await fleet.close();
  }
} finally {
  await target.close();
}
