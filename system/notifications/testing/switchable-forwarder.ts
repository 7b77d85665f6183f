import { connect, createServer, type Socket } from 'node:net';

/** Test-only: a TCP forwarder whose upstream can be switched, so one client URL reaches either instance. */
export interface SwitchableForwarder {
  url: string;
  /** New connections go to this port from now on. */
  switchTo(port: number): void;
  /** Cuts every open connection (both sides see the TCP connection end, as after a network fault). */
  cut(): void;
  close(): Promise<void>;
}

export async function startSwitchableForwarder(initialPort: number): Promise<SwitchableForwarder> {
  let upstreamPort = initialPort;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    switchTo: (next) => void (upstreamPort = next),
    cut: () => {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
