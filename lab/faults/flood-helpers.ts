import { createHash, randomFillSync } from 'node:crypto';
import net from 'node:net';

/** Test support for the backpressure suite: a sender that writes as fast as TCP lets it, and a hashing sink. */

export interface FloodSender {
  /** Bytes the kernel has accepted from the sender (write callbacks fired), not bytes queued in Node. */
  flushed(): number;
  /** Resolves with the sha256 of everything sent once all of it is flushed and the socket is ended. */
  done: Promise<string>;
  destroy(): void;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Connects to "host:port" and offers `totalBytes` of random data in 64 KiB chunks, writing the next
 * one only when the socket accepts more, so what leaves the sender is what the path lets through.
 */
export function startFloodSender(address: string, totalBytes: number): FloodSender {
  const [host, port] = address.split(':') as [string, string];
  const socket = net.connect({ host, port: Number(port) });
  const hash = createHash('sha256');
  let flushed = 0;
  let offered = 0;
  const done = new Promise<string>((resolve, reject) => {
    socket.once('error', reject);
    const pump = (): void => {
      while (offered < totalBytes) {
        const chunk = randomFillSync(Buffer.allocUnsafe(Math.min(CHUNK_BYTES, totalBytes - offered)));
        hash.update(chunk);
        offered += chunk.length;
        const more = socket.write(chunk, () => (flushed += chunk.length));
        if (!more) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end(() => resolve(hash.digest('hex')));
    };
    socket.once('connect', pump);
  });
  return { flushed: () => flushed, done, destroy: () => socket.destroy() };
}

export interface HashingSink {
  /** "127.0.0.1:port", ready to use as a proxy upstream. */
  address: string;
  /** Bytes received so far, over every connection. */
  received(): number;
  /** Resolves with bytes and sha256 of the first connection once its sender's end arrives. */
  firstStream: Promise<{ bytes: number; sha256: string }>;
  close(): Promise<void>;
}

export async function startHashingSink(): Promise<HashingSink> {
  const sockets = new Set<net.Socket>();
  let received = 0;
  let resolveFirst: (value: { bytes: number; sha256: string }) => void = () => undefined;
  const firstStream = new Promise<{ bytes: number; sha256: string }>((resolve) => (resolveFirst = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const hash = createHash('sha256');
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      bytes += chunk.length;
      hash.update(chunk);
    });
    socket.on('end', () => {
      resolveFirst({ bytes, sha256: hash.digest('hex') });
      socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    received: () => received,
    firstStream,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
