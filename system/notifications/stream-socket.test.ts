import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { takeOverStreamSocket } from './stream-socket.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Taken {
  server: Server;
  client: Socket;
  /** The server side of the connection, once taken over. */
  served: Socket;
  took: boolean;
  request: WeakRef<IncomingMessage>;
  received: () => string;
}

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  // A connection taken over is no longer the HTTP server's to close.
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A raw client's stream request to a server that takes the connection over after the head. */
async function takeOver(): Promise<Taken> {
  let took = false;
  let request: WeakRef<IncomingMessage> | undefined;
  const servedSocket = new Promise<Socket>((resolve) => {
    const server = createServer((req, res) => {
      res.writeHead(200, ['Content-Type', 'text/event-stream', 'Connection', 'close']);
      res.flushHeaders();
      took = takeOverStreamSocket(req, res);
      request = new WeakRef(req);
      const socket = res.socket as Socket;
      setImmediate(() => setImmediate(() => resolve(socket)));
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
  });
  const server = servers[servers.length - 1] as Server;
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  let text = '';
  client.on('data', (chunk: Buffer) => (text += chunk.toString()));
  client.write('GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  const served = await servedSocket;
  sockets.push(client, served);
  return { server, client, served, took, request: request as WeakRef<IncomingMessage>, received: () => text };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('an event stream taking its connection over from the HTTP server', () => {
  it('leaves none of the HTTP server’s listeners or its parser on the connection', async () => {
    const { served, took } = await takeOver();
    expect(took).toBe(true);
    expect((served as Socket & { parser?: unknown }).parser).toBeNull();
    const names = served
      .eventNames()
      .flatMap((event) =>
        served.rawListeners(event).map((l) => `${String(event)}:${(l as { name: string }).name}`),
      );
    expect(names.filter((n) => /socketOn|onSocket|ServerResponse/.test(n))).toEqual([]);
  });

  it('lets the request and response be collected while the stream stays open', async () => {
    const { request, served } = await takeOver();
    for (let i = 0; i < 5 && request.deref() !== undefined; i++) {
      await settle();
      gc();
    }
    expect(request.deref()).toBeUndefined();
    expect(served.destroyed).toBe(false);
  });

  it('still carries what is written after the head, and ignores what the client sends', async () => {
    const { client, served, received } = await takeOver();
    client.write('GET /again HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nnot http at all\r\n');
    served.write('data: one\n\n');
    await expect.poll(received).toContain('data: one\n\n');
    expect(received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received().match(/HTTP\/1\.1/g)).toHaveLength(1);
  });

  it('closes when the client goes away, and answers its end with ours', async () => {
    const { client, served } = await takeOver();
    const closed = once(served, 'close');
    client.end();
    await closed;
    expect(served.destroyed).toBe(true);
  });

  it('is ended by an error on the connection instead of crashing the process', async () => {
    const { served } = await takeOver();
    // Not events.once: it would take the error itself.
    const closed = new Promise((resolve) => served.once('close', resolve));
    served.emit('error', new Error('ECONNRESET'));
    await closed;
    expect(served.destroyed).toBe(true);
  });
});
