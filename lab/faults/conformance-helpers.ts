import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** Test support for the conformance suites: a loopback echo upstream and a recording client. */

export interface EchoServer {
  /** "127.0.0.1:port", ready to use as a proxy upstream. */
  address: string;
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface Received {
  at: number;
  size: number;
}

export interface RecordingClient {
  socket: net.Socket;
  chunks: Received[];
  bytes(): number;
  /** Resolves with the time (ms, performance.now) the total received reaches `count` bytes. */
  waitForBytes(count: number): Promise<number>;
  /** Settles when the socket closes: time and the error code, if it closed with one. */
  closed: Promise<{ at: number; code: string | undefined }>;
}

/** Connects to "host:port" and records every chunk received, with its arrival time. */
export async function connectClient(address: string): Promise<RecordingClient> {
  const [host, port] = address.split(':') as [string, string];
  const socket = net.connect({ host, port: Number(port) });
  socket.setNoDelay(true);
  const chunks: Received[] = [];
  let total = 0;
  const waiters: Array<{ count: number; resolve: (at: number) => void }> = [];
  let errorCode: string | undefined;
  socket.on('error', (error: NodeJS.ErrnoException) => (errorCode = error.code));
  socket.on('data', (data: Buffer) => {
    const at = performance.now();
    total += data.length;
    chunks.push({ at, size: data.length });
    for (const waiter of waiters.filter((w) => total >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(at);
    }
  });
  const closed = new Promise<{ at: number; code: string | undefined }>((resolve) =>
    socket.once('close', () => resolve({ at: performance.now(), code: errorCode })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    chunks,
    bytes: () => total,
    waitForBytes: (count) =>
      total >= count
        ? Promise.resolve(chunks[chunks.length - 1]!.at)
        : new Promise((resolve) => waiters.push({ count, resolve })),
    closed,
  };
}

/** Sends `message` and resolves with the round trip in ms once it is fully echoed back. */
export async function roundTrip(client: RecordingClient, message = 'ping'): Promise<number> {
  const start = performance.now();
  const target = client.bytes() + Buffer.byteLength(message);
  client.socket.write(message);
  return (await client.waitForBytes(target)) - start;
}

/** Resolves with the error code of a connection attempt, or 'connected'. */
export function tryConnect(address: string): Promise<string> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

/** Resolves with 'settled' if the promise settles within ms, else 'pending'; for "nothing happens" checks. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> {
  return Promise.race([
    promise.then(() => 'settled' as const),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);
}
