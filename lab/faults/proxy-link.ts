import net from 'node:net';
import { createLinkFlow, type LinkFlow } from './link-flow.ts';
import { createToxicChain, type ToxicChain } from './toxic-chain.ts';
import type { ToxicSpec } from './toxic-spec.ts';
import type { ToxicStream } from './toxics/toxic.ts';

export interface ProxyLink {
  readonly chains: Record<ToxicStream, ToxicChain>;
  /** Bytes held inside the toxics of both directions right now. */
  heldBytes(): number;
  /** Close both sockets now (proxy disabled or deleted). */
  destroy(): void;
}

export interface ProxyLinkOptions {
  client: net.Socket;
  upstream: { host: string; port: number };
  toxics: readonly ToxicSpec[];
  random: () => number;
  now: () => number;
  /** Close the client when the upstream has not accepted the connection by then, in milliseconds. */
  connectTimeoutMs: number;
  onClosed: () => void;
  onError: (error: Error, where: string) => void;
  /** Opens the upstream socket; replaceable so a test can stand in an upstream that never answers. */
  connect?: (options: net.NetConnectOpts) => net.Socket;
}

interface Direction {
  source: net.Socket;
  dest: net.Socket;
  flow: LinkFlow;
  chain: ToxicChain;
  inputEnded: boolean;
}

/**
 * One accepted client and its upstream connection, joined by an upstream chain (client → server)
 * and a downstream chain (server → client). Like Toxiproxy, a close on either side ends up closing
 * both sockets, but only after data already inside the toxics has been delivered.
 */
export function createProxyLink(options: ProxyLinkOptions): ProxyLink {
  const { client, random, now, connect = net.connect } = options;
  const server = connect({ ...options.upstream, allowHalfOpen: true });
  // Toxiproxy sets SO_LINGER 0 only on connections that open with a reset_peer toxic in place.
  const closeWithReset = options.toxics.some((spec) => spec.type === 'reset_peer');
  let closed = false;

  const closeGracefully = (socket: net.Socket): void => {
    if (socket.destroyed || socket.writableEnded) return;
    // Toxiproxy closes the whole connection, not just the write side: FIN, then drop the fd.
    socket.end(() => socket.destroy());
  };
  const reset = (): void => {
    if (closed) return;
    closed = true;
    up.chain.destroy();
    down.chain.destroy();
    for (const socket of [client, server]) {
      // A socket still connecting has nothing to reset; resetAndDestroy would wait for the connect.
      if (socket.destroyed || socket.connecting) socket.destroy();
      else socket.resetAndDestroy();
    }
  };

  const makeDirection = (source: net.Socket, dest: net.Socket, stream: ToxicStream): Direction => {
    const flow = createLinkFlow(source, dest);
    const direction: Direction = {
      source,
      dest,
      flow,
      chain: undefined as unknown as ToxicChain,
      inputEnded: false,
    };
    const sink = {
      push(chunk: Buffer) {
        if (dest.destroyed || dest.writableEnded) return;
        dest.write(chunk);
        flow.check();
      },
      end() {
        closeGracefully(dest);
        endInput(direction === up ? down : up);
      },
      reset,
    };
    direction.chain = createToxicChain(sink, random, now, { held: flow.held, closeWithReset });
    for (const spec of options.toxics) if (spec.stream === stream) direction.chain.add(spec);
    return direction;
  };

  const up = makeDirection(client, server, 'upstream');
  const down = makeDirection(server, client, 'downstream');

  function endInput(direction: Direction): void {
    if (direction.inputEnded) return;
    direction.inputEnded = true;
    direction.chain.end();
  }

  const wire = (direction: Direction, where: string): void => {
    direction.source.on('data', (chunk: Buffer) => {
      if (!direction.inputEnded) direction.chain.write(chunk);
    });
    direction.source.on('end', () => endInput(direction));
    direction.source.on('error', (error) => {
      options.onError(error, where);
      endInput(direction);
    });
  };

  let socketsOpen = 2;
  const onSocketClose = (): void => {
    socketsOpen -= 1;
    if (socketsOpen > 0) return;
    clearTimeout(connectTimer);
    up.chain.destroy();
    down.chain.destroy();
    options.onClosed();
  };
  client.once('close', () => {
    endInput(up);
    onSocketClose();
  });
  server.once('close', () => {
    endInput(down);
    onSocketClose();
  });

  wire(up, 'client');
  wire(down, 'upstream');
  down.flow.start();
  // Toxiproxy dials without a deadline and leaves it to the OS (about 2 minutes on Linux); a
  // bounded wait keeps clients of a black-holed upstream from hanging that long.
  const connectTimer = setTimeout(() => {
    options.onError(new Error(`upstream did not accept within ${options.connectTimeoutMs} ms`), 'upstream');
    link.destroy();
  }, options.connectTimeoutMs);
  server.once('connect', () => {
    clearTimeout(connectTimer);
    server.setNoDelay(true);
    client.setNoDelay(true);
    up.flow.start();
  });

  const link: ProxyLink = {
    chains: { upstream: up.chain, downstream: down.chain },
    heldBytes: () => up.flow.heldBytes() + down.flow.heldBytes(),
    destroy() {
      if (closed) return;
      closed = true;
      clearTimeout(connectTimer);
      up.chain.destroy();
      down.chain.destroy();
      client.destroy();
      server.destroy();
    },
  };
  return link;
}
