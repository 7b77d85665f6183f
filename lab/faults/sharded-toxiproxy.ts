import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pickFreePorts } from './listen-ports.ts';
import { silentLogger, type ToxiproxyLogger } from './logger.ts';
import type { ProxyJson } from './proxy.ts';
import { createShardForwarder } from './shard-forwarder.ts';
import { createShard, isShardReady, type Shard } from './shard-ipc.ts';
import type { ToxiproxyServer } from './toxiproxy-server.ts';

const SHARD_SCRIPT = fileURLToPath(new URL('./toxiproxy-shard-main.ts', import.meta.url));

export interface ShardedToxiproxyOptions {
  /** Interface and port of the primary's API; as in ToxiproxyServerOptions. */
  host?: string;
  port?: number;
  /** Number of worker processes, at least 2. */
  shards: number;
  logger?: ToxiproxyLogger;
  /** How long every shard may take to report its API, milliseconds. Default 30,000. */
  readyTimeoutMs?: number;
  /** Called when a shard dies while the server is not closing (its connections are gone). */
  onShardExit?: (shard: number, reason: string) => void;
}

export interface ShardedToxiproxy extends Pick<ToxiproxyServer, 'url' | 'port' | 'populate' | 'close'> {
  readonly shards: readonly Shard[];
}

/** How long a stopping shard may take before it is killed. */
const SHARD_STOP_GRACE_MS = 3_000;

async function waitReady(worker: Worker, shard: number, timeoutMs: number): Promise<Shard> {
  const ready = new Promise<Shard>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`shard ${shard} not ready in ${timeoutMs} ms`)),
      timeoutMs,
    );
    worker.on('message', (message: unknown) => {
      if (!isShardReady(message)) return;
      clearTimeout(timer);
      resolve(createShard(worker, { shard, pid: message.pid, url: message.url }));
    });
    worker.once('exit', (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new Error(`shard ${shard} exited during start-up (${signal ?? `code ${code}`})`));
    });
  });
  return ready;
}

async function stopWorkers(workers: readonly Worker[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      if (worker.isDead()) return;
      const exited = once(worker, 'exit');
      // A shard exits when its IPC channel closes (worker.kill() would only send SIGTERM, which
      // shards ignore, and worker.disconnect() would wait for every proxied connection to end).
      if (worker.isConnected()) worker.process.disconnect();
      else worker.process.kill('SIGKILL');
      const timer = setTimeout(() => worker.process.kill('SIGKILL'), SHARD_STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }),
  );
}

function listen(server: http.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Runs the fault proxy as a node:cluster primary with `shards` worker processes. Each shard runs a
 * full createToxiproxyServer; their proxies share each listen port through the cluster, which hands
 * accepted connections to the shards round-robin, so each shard holds only its share of the sockets.
 * The primary's API forwards every request to every shard (see shard-forwarder.ts).
 * Call at most once per process: node:cluster settings are process-wide.
 */
export async function startShardedToxiproxy(options: ShardedToxiproxyOptions): Promise<ShardedToxiproxy> {
  const { host = '127.0.0.1', port = 8474, logger = silentLogger, readyTimeoutMs = 30_000 } = options;
  if (!Number.isInteger(options.shards) || options.shards < 2)
    throw new RangeError('shards must be 2 or more');
  cluster.schedulingPolicy = cluster.SCHED_RR;
  cluster.setupPrimary({ exec: SHARD_SCRIPT, execArgv: ['--import', 'tsx'], args: [] });
  const workers = Array.from({ length: options.shards }, () => cluster.fork());
  let closing = false;
  const server = http.createServer();
  let shards: Shard[];
  let forwarder: ReturnType<typeof createShardForwarder>;
  let bound: AddressInfo;
  try {
    shards = await Promise.all(workers.map((worker, i) => waitReady(worker, i + 1, readyTimeoutMs)));
    forwarder = createShardForwarder({ shards, logger, pickPorts: pickFreePorts });
    server.on('request', (request, response) => void forwarder.handle(request, response));
    bound = await listen(server, host, port);
  } catch (error) {
    closing = true;
    await stopWorkers(workers);
    throw error;
  }
  workers.forEach((worker, i) =>
    worker.once('exit', (code: number | null, signal: string | null) => {
      if (!closing) options.onShardExit?.(i + 1, signal ?? `code ${code}`);
    }),
  );
  const urlHost = bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  const url = `http://${urlHost}:${bound.port}`;
  logger.info({ url, shards: shards.map((s) => s.pid) }, 'sharded toxiproxy API listening');

  let stopped: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    closing = true;
    const apiClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await Promise.all([apiClosed, stopWorkers(workers)]);
  };
  const forward = (path: string, body: unknown) =>
    forwarder.forward({
      method: 'POST',
      path,
      contentType: 'application/json',
      body: Buffer.from(JSON.stringify(body)),
    });

  return {
    url,
    port: bound.port,
    shards,
    async populate(config) {
      if (!Array.isArray(config)) throw new TypeError('config must be a JSON array of proxies');
      const reply = await forward('/populate', config);
      const parsed = JSON.parse(reply.body.toString('utf8')) as { proxies?: ProxyJson[]; error?: string };
      if (reply.status !== 201) throw new Error(parsed.error ?? `HTTP ${reply.status}`);
      return parsed.proxies ?? [];
    },
    close: () => (stopped ??= close()),
  };
}
