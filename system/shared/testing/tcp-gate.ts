import net from 'node:net';

/** `refuse`: connections are reset; `blackhole`: bytes stop flowing, sockets stay open (a partition). */
export type TcpGateCutMode = 'refuse' | 'blackhole';

export interface TcpGate {
  /** Local port (on 127.0.0.1) that forwards to the target. */
  readonly port: number;
  cut(options: { mode: TcpGateCutMode }): void;
  /** Lets bytes flow again; black-holed connections resume with whatever was buffered. */
  restore(): void;
  /** Idempotent. */
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

/**
 * Test-only TCP forwarder so a test can make the broker "go away and come back" without touching
 * the shared broker. A black-holed pair is unpiped and paused: data waits in socket buffers, as
 * in a partition that heals before TCP gives up.
 */
export async function createTcpGate({
  target,
}: {
  target: { host: string; port: number };
}): Promise<TcpGate> {
  let mode: 'open' | TcpGateCutMode = 'open';
  const pairs = new Set<Pair>();
  const link = ({ client, upstream }: Pair) => (client.pipe(upstream), upstream.pipe(client));
  const hold = ({ client, upstream }: Pair) => {
    client.unpipe(upstream).pause();
    upstream.unpipe(client).pause();
  };
  const reset = (pair: Pair) => {
    pair.client.resetAndDestroy();
    pair.upstream.destroy();
    pairs.delete(pair);
  };

  const server = net.createServer((client) => {
    if (mode === 'refuse') return void client.resetAndDestroy();
    const pair: Pair = { client, upstream: net.connect(target) };
    const drop = () => {
      client.destroy();
      pair.upstream.destroy();
      pairs.delete(pair);
    };
    for (const socket of [client, pair.upstream]) socket.on('error', drop).on('close', drop);
    pairs.add(pair);
    if (mode === 'open') link(pair);
    else hold(pair);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  let closing: Promise<void> | undefined;

  return {
    port: (server.address() as net.AddressInfo).port,
    cut({ mode: next }) {
      if (mode === 'open') pairs.forEach(next === 'refuse' ? reset : hold);
      else if (next === 'refuse') pairs.forEach(reset);
      mode = next;
    },
    restore() {
      if (mode === 'blackhole') pairs.forEach(link);
      mode = 'open';
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        mode = 'refuse';
        pairs.forEach(reset);
        server.close(() => resolve());
      })),
  };
}
