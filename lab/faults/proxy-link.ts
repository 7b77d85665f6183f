import net from 'node:net';
import { createToxicChain, type ToxicChain } from './toxic-chain.ts';
import type { ToxicSpec } from './toxic-spec.ts';
import type { ToxicStream } from './toxics/toxic.ts';

export interface ProxyLink {
  readonly chains: Record<ToxicStream, ToxicChain>;
  /** Close both sockets now (proxy disabled or deleted). */
  destroy(): void;
}

export interface ProxyLinkOptions {
  client: net.Socket;
  upstream: { host: string; port: number };
  toxics: readonly ToxicSpec[];
  random: () => number;
  now: () => number;
  onClosed: () => void;
  onError: (error: Error, where: string) => void;
}

interface Direction {
  source: net.Socket;
  dest: net.Socket;
  chain: ToxicChain;
  inputEnded: boolean;
}

/**
 * One accepted client and its upstream connection, joined by an upstream chain (client → server)
 * and a downstream chain (server → client). Like Toxiproxy, a close on either side ends up closing
 * both sockets, but only after data already inside the toxics has been delivered.
 */
export function createProxyLink(options: ProxyLinkOptions): ProxyLink {
  const { client, random, now } = options;
  const server = net.connect({ ...options.upstream, allowHalfOpen: true });
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
    const direction: Direction = {
      source,
      dest,
      chain: undefined as unknown as ToxicChain,
      inputEnded: false,
    };
    direction.chain = createToxicChain(
      {
        push(chunk) {
          if (dest.destroyed || dest.writableEnded) return;
          // Backpressure: stop reading the source while the destination's buffer is full.
          if (!dest.write(chunk) && !source.isPaused()) {
            source.pause();
            dest.once('drain', () => source.resume());
          }
        },
        end() {
          closeGracefully(dest);
          endInput(direction === up ? down : up);
        },
        reset,
      },
      random,
      now,
    );
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
  server.once('connect', () => {
    server.setNoDelay(true);
    client.setNoDelay(true);
    client.resume();
  });

  return {
    chains: { upstream: up.chain, downstream: down.chain },
    destroy() {
      if (closed) return;
      closed = true;
      up.chain.destroy();
      down.chain.destroy();
      client.destroy();
      server.destroy();
    },
  };
}
