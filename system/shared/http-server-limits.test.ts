import { createServer, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { applyHttpServerLimits, httpServerOptions, type HttpServerLimits } from './http-server-limits.ts';
import { rawRequest } from './testing/raw-http.ts';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

const limits: HttpServerLimits = {
  headersTimeoutMs: 400,
  requestTimeoutMs: 400,
  keepAliveTimeoutMs: 1_000,
  maxConnections: 1_000,
};

async function start(handler: RequestListener, overrides: Partial<HttpServerLimits> = {}) {
  const merged = { ...limits, ...overrides };
  const server = createServer(httpServerOptions(merged), handler);
  applyHttpServerLimits(server, merged);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('HTTP server limits', () => {
  it('answers a request whose headers never finish with a 408 problem document', async () => {
    const port = await start((_req, res) => res.end('ok'));
    // No blank line: the headers never end. The server must answer within a generous bound.
    const res = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n', 10_000);
    expect(res.status).toBe(408);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ code: 'request_timeout' });
  });

  it('answers a malformed request line with a 400 problem document', async () => {
    const port = await start((_req, res) => res.end('ok'));
    for (const line of [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      'GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
    ]) {
      const res = await rawRequest(port, line);
      expect(res.status, JSON.stringify(line)).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'malformed_request' });
    }
  });

  it('answers oversized headers with a 431 problem document', async () => {
    const port = await start((_req, res) => res.end('ok'));
    const res = await rawRequest(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'headers_too_large' });
  });

  it('keeps a long-lived response (SSE) open well past the request timeout', async () => {
    const port = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write(': tick\n\n'), 100);
      res.on('close', () => clearInterval(timer));
    });
    const socket = connect(port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    let ticks = 0;
    let closed = false;
    socket.on('data', (chunk) => (ticks += chunk.toString().split(': tick').length - 1));
    socket.on('close', () => (closed = true));
    // 20 ticks at 100 ms span 2 s: five times the request timeout.
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (ticks >= 20) done(resolve);
        else if (closed) done(() => reject(new Error(`stream cut after ${ticks} ticks`)));
      }, 20);
      const done = (fn: () => void) => {
        clearInterval(check);
        fn();
      };
    });
    expect(closed).toBe(false);
    socket.destroy();
  });

  it('refuses connections beyond maxConnections', async () => {
    const port = await start((_req, res) => res.end('ok'), { maxConnections: 1 });
    const first = connect(port, '127.0.0.1');
    await new Promise((resolve) => first.once('connect', resolve));
    const res = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(0);
    first.destroy();
  });
});
