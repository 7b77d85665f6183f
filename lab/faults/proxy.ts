import net from 'node:net';
import { formatAddress, parseHostPort } from './addresses.ts';
import { ApiError } from './api-errors.ts';
import { createProxyLink, type ProxyLink } from './proxy-link.ts';
import { toxicToJson, type ToxicJson, type ToxicSpec } from './toxic-spec.ts';
import type { ToxiproxyLogger } from './logger.ts';

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export interface ProxySettings {
  listen: string;
  upstream: string;
  enabled: boolean;
}

export interface Proxy {
  readonly name: string;
  settings(): ProxySettings;
  /** Applies Toxiproxy's update rules: a new address restarts the listener; enabled starts/stops it. */
  update(next: ProxySettings): Promise<void>;
  /** Closes the listener and every open connection. */
  stop(): Promise<void>;
  findToxic(name: string): ToxicSpec | undefined;
  addToxic(spec: ToxicSpec): void;
  updateToxic(spec: ToxicSpec): void;
  removeToxic(name: string): void;
  removeAllToxics(): void;
  /** Open client connections (links) right now. */
  connectionCount(): number;
  /** Bytes held inside toxics over every open connection right now. */
  heldBytes(): number;
  toJSON(): ProxyJson;
}

export interface ProxyDeps {
  name: string;
  upstream: string;
  listen: string;
  random: () => number;
  now: () => number;
  /** How long a client waits for the upstream to accept, in milliseconds. */
  connectTimeoutMs: number;
  logger: ToxiproxyLogger;
}

function listenOn(server: net.Server, listen: string): Promise<string> {
  const address = parseHostPort(listen);
  if (address === undefined)
    return Promise.reject(new ApiError('listenFailed', `invalid listen address ${listen}`));
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void =>
      reject(new ApiError('listenFailed', error.message, { cause: error }));
    server.once('error', onError);
    // A deep accept queue (capped by net.core.somaxconn): a reconnect storm through the proxy must
    // not overflow Node's default backlog of 511 and leave clients in SYN retry backoff.
    server.listen({ host: address.host, port: address.port, backlog: 8192 }, () => {
      server.off('error', onError);
      resolve(formatAddress(server.address() as net.AddressInfo));
    });
  });
}

/** A named listener forwarding to one upstream, with its toxics applied to every connection. */
export function createProxy(deps: ProxyDeps): Proxy {
  const { name, logger } = deps;
  let current: ProxySettings = { listen: deps.listen, upstream: deps.upstream, enabled: false };
  let toxics: ToxicSpec[] = [];
  let server: net.Server | undefined;
  const links = new Set<ProxyLink>();
  // Start/stop are async; a queue keeps concurrent API calls from interleaving on one listener.
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const accept = (client: net.Socket): void => {
    // Toxiproxy takes any upstream string and only fails when dialling it: the client is closed.
    const upstream = parseHostPort(current.upstream);
    if (upstream === undefined) {
      logger.debug({ proxy: name, upstream: current.upstream }, 'unusable upstream address');
      client.destroy();
      return;
    }
    const link = createProxyLink({
      client,
      upstream: { host: upstream.host ?? '127.0.0.1', port: upstream.port },
      toxics,
      random: deps.random,
      now: deps.now,
      connectTimeoutMs: deps.connectTimeoutMs,
      onClosed: () => links.delete(link),
      onError: (error, where) => logger.debug({ proxy: name, where, err: error.message }, 'connection error'),
    });
    links.add(link);
  };

  const start = async (): Promise<void> => {
    if (current.enabled) return;
    const listener = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, accept);
    current.listen = await listenOn(listener, current.listen);
    listener.on('error', (error) => logger.warn({ proxy: name, err: error.message }, 'listener error'));
    server = listener;
    current.enabled = true;
    logger.info({ proxy: name, listen: current.listen, upstream: current.upstream }, 'started proxy');
  };

  const stopNow = async (): Promise<void> => {
    if (!current.enabled || server === undefined) return;
    current.enabled = false;
    const listener = server;
    server = undefined;
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    for (const link of links) link.destroy();
    links.clear();
    await closed;
    logger.info({ proxy: name, listen: current.listen }, 'terminated proxy');
  };

  // Existing connections get the change too, as Toxiproxy updates the chain of every live link.
  const removeToxic = (toxicName: string): void => {
    const spec = toxics.find((t) => t.name === toxicName);
    if (spec === undefined) return;
    toxics = toxics.filter((t) => t !== spec);
    for (const link of links) link.chains[spec.stream].remove(toxicName);
  };

  return {
    name,
    settings: () => ({ ...current }),
    update: (next) =>
      serialize(async () => {
        if (next.listen !== current.listen || next.upstream !== current.upstream) {
          // Checked before stopping, as Toxiproxy resolves the new address first: a bad one leaves the proxy as it was.
          if (parseHostPort(next.listen) === undefined) {
            throw new ApiError('listenFailed', `invalid listen address ${next.listen}`);
          }
          await stopNow();
          current = { ...current, listen: next.listen, upstream: next.upstream };
        }
        if (next.enabled) await start();
        else await stopNow();
      }),
    stop: () => serialize(stopNow),
    findToxic: (toxicName) => toxics.find((t) => t.name === toxicName),
    addToxic(spec) {
      toxics = [...toxics, spec];
      for (const link of links) link.chains[spec.stream].add(spec);
    },
    updateToxic(spec) {
      toxics = toxics.map((t) => (t.name === spec.name ? spec : t));
      for (const link of links) link.chains[spec.stream].update(spec);
    },
    removeToxic,
    removeAllToxics() {
      for (const spec of [...toxics]) removeToxic(spec.name);
    },
    connectionCount: () => links.size,
    heldBytes: () => [...links].reduce((sum, link) => sum + link.heldBytes(), 0),
    toJSON: () => ({
      name,
      listen: current.listen,
      upstream: current.upstream,
      enabled: current.enabled,
      // Toxiproxy lists the upstream chain first, then downstream, each in the order added.
      toxics: [
        ...toxics.filter((t) => t.stream === 'upstream'),
        ...toxics.filter((t) => t.stream === 'downstream'),
      ].map(toxicToJson),
    }),
  };
}
