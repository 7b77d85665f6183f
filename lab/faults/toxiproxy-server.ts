import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { silentLogger, type ToxiproxyLogger } from './logger.ts';
import { createProxyCollection, parseProxyInput } from './proxy-collection.ts';
import type { ProxyJson } from './proxy.ts';
import { createToxiproxyApi } from './toxiproxy-api.ts';

export interface ToxiproxyServerOptions {
  /** Interface for the HTTP API; default 127.0.0.1. */
  host?: string;
  /** API port; 0 picks a free one (read it back from `port`). Default 8474 like toxiproxy-server. */
  port?: number;
  /**
   * Listen for the API with `exclusive: true`. Only matters in a `node:cluster` worker, where it
   * keeps the API port the worker's own instead of sharing it through the primary. Default false.
   */
  exclusive?: boolean;
  logger?: ToxiproxyLogger;
  /** Uniform [0, 1) source for toxicity, jitter and slicing; pass createSeededRandom(seed) to replay. */
  random?: () => number;
  /**
   * How long a client connection waits for its upstream to accept before it is closed, in
   * milliseconds. Default 10,000. Toxiproxy sets no deadline and waits for the OS (about 2 minutes).
   */
  upstreamConnectTimeoutMs?: number;
}

export interface ToxiproxyServer {
  /** Base URL for `new Toxiproxy(url)`, e.g. http://127.0.0.1:8474. */
  url: string;
  port: number;
  /** Same as POST /populate (Toxiproxy's -config file): create or replace the listed proxies. */
  populate(config: unknown): Promise<ProxyJson[]>;
  /** Bytes held inside toxics per proxy name right now (bounded by backpressure; not part of Toxiproxy's API). */
  heldBytes(): Record<string, number>;
  /** Open connections per proxy name (not part of Toxiproxy's API; the sharded mode reports it). */
  connectionCounts(): Record<string, number>;
  /** Stops the API, every proxy and every open connection; safe to call more than once. */
  close(): Promise<void>;
}

/** Starts an embedded TCP fault proxy that speaks Toxiproxy's HTTP API. */
export async function createToxiproxyServer(options: ToxiproxyServerOptions = {}): Promise<ToxiproxyServer> {
  const { host = '127.0.0.1', port = 8474, exclusive = false } = options;
  const { logger = silentLogger, random = Math.random, upstreamConnectTimeoutMs = 10_000 } = options;
  const proxies = createProxyCollection({
    random,
    now: () => performance.now(),
    connectTimeoutMs: upstreamConnectTimeoutMs,
    logger,
  });
  const api = createToxiproxyApi(proxies, logger);
  const server = http.createServer((request, response) => void api(request, response));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const urlHost = bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  logger.info({ host: bound.address, port: bound.port }, 'toxiproxy API listening');

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const stopApi = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    // Every step runs even if another fails: a half-closed proxy would leak ports into the next test.
    const results = await Promise.allSettled([stopApi, proxies.closeAll()]);
    for (const result of results) {
      if (result.status === 'rejected') logger.warn({ err: String(result.reason) }, 'error while closing');
    }
  };

  return {
    url: `http://${urlHost}:${bound.port}`,
    port: bound.port,
    async populate(config) {
      if (!Array.isArray(config)) throw new TypeError('config must be a JSON array of proxies');
      const inputs = config.map((item, i) => parseProxyInput(item, ` at proxy ${i + 1}`));
      return (await proxies.populate(inputs)).map((p) => p.toJSON());
    },
    heldBytes: () => Object.fromEntries(proxies.list().map((p) => [p.name, p.heldBytes()])),
    connectionCounts: () => Object.fromEntries(proxies.list().map((p) => [p.name, p.connectionCount()])),
    close: () => (closing ??= close()),
  };
}
