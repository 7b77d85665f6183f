import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHttp, listenHttp } from './http-lifecycle.ts';

const servers: http.Server[] = [];
const server = () => {
  const s = http.createServer((_req, res) => res.end('ok'));
  servers.push(s);
  return s;
};
afterEach(() => Promise.all(servers.splice(0).map((s) => closeHttp(s, 0))));

describe('listenHttp', () => {
  it('resolves with the port it bound when asked for port 0', async () => {
    const port = await listenHttp(server(), { port: 0, host: '127.0.0.1' });
    expect(port).toBeGreaterThan(0);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
  });

  it('rejects when the port is taken', async () => {
    const port = await listenHttp(server(), { port: 0, host: '127.0.0.1' });
    await expect(listenHttp(server(), { port, host: '127.0.0.1' })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});

describe('closeHttp', () => {
  it('closes a server whose client holds an idle keep-alive connection', async () => {
    const s = server();
    const port = await listenHttp(s, { port: 0, host: '127.0.0.1' });
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) =>
      http
        .get({ port, host: '127.0.0.1', agent }, (res) => res.resume().on('end', resolve))
        .on('error', reject),
    );
    // The drain budget is far beyond the test timeout: only closing idle sockets can finish it.
    await closeHttp(s, 600_000);
    expect(s.listening).toBe(false);
    agent.destroy();
  });

  it('resolves at once for a server that never listened', async () => {
    await expect(closeHttp(server())).resolves.toBeUndefined();
  });
});
