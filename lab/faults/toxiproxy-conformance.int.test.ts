import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connectClient,
  roundTrip,
  settlesWithin,
  startEchoServer,
  tryConnect,
  type EchoServer,
  type RecordingClient,
} from './conformance-helpers.ts';
import { createSeededRandom } from './random.ts';
import { createToxiproxyServer, type ToxiproxyServer } from './toxiproxy-server.ts';

// Every effect is measured on real loopback TCP through the official client; timing bounds leave
// room for a loaded CI machine above the expected value, but never below it.
let server: ToxiproxyServer;
let echo: EchoServer;
let toxiproxy: Toxiproxy;
const clients: RecordingClient[] = [];
let proxyCount = 0;

beforeAll(async () => {
  server = await createToxiproxyServer({ port: 0, random: createSeededRandom(42) });
  echo = await startEchoServer();
  toxiproxy = new Toxiproxy(server.url);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.destroy();
  for (const proxy of Object.values(await toxiproxy.getAll())) await proxy.remove();
});

afterAll(async () => {
  await server.close();
  await echo.close();
});

async function newProxy(): Promise<Proxy> {
  proxyCount += 1;
  return toxiproxy.createProxy({ name: `echo_${proxyCount}`, listen: '127.0.0.1:0', upstream: echo.address });
}

async function connect(proxy: Proxy): Promise<RecordingClient> {
  const client = await connectClient(proxy.listen);
  clients.push(client);
  return client;
}

function toxic<T>(
  type: string,
  attributes: T,
  extra: { stream?: string; toxicity?: number; name?: string } = {},
) {
  return {
    name: extra.name ?? `${type}_${extra.stream ?? 'downstream'}`,
    type,
    stream: extra.stream ?? 'downstream',
    toxicity: extra.toxicity ?? 1,
    attributes,
  } as Parameters<Proxy['addToxic']>[0] & { attributes: T };
}

describe('proxy lifecycle through toxiproxy-node-client', () => {
  it('binds port 0 to a real port and reports it', async () => {
    const proxy = await newProxy();
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(proxy.listen).not.toBe('127.0.0.1:0');
    expect((await toxiproxy.get(proxy.name)).listen).toBe(proxy.listen);
    expect(await roundTrip(await connect(proxy))).toBeLessThan(100);
  });

  it('closes open connections and refuses new ones when disabled, and accepts again when re-enabled', async () => {
    const proxy = await newProxy();
    const open = await connect(proxy);
    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(disabled.enabled).toBe(false);
    await open.closed;
    expect(await tryConnect(proxy.listen)).toBe('ECONNREFUSED');
    const enabled = await disabled.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    expect(enabled.listen).toBe(proxy.listen);
    expect(await roundTrip(await connect(enabled))).toBeLessThan(100);
  });

  it('populates proxies with real addresses and keeps unchanged ones', async () => {
    const created = await toxiproxy.populate([
      { name: 'pop_a', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'pop_b', listen: '127.0.0.1:0', upstream: echo.address, enabled: false },
    ]);
    expect(created.pop_a!.enabled).toBe(true);
    expect(created.pop_b!.enabled).toBe(false);
    const again = await toxiproxy.populate([
      { name: 'pop_a', listen: created.pop_a!.listen, upstream: echo.address },
    ]);
    expect(again.pop_a!.listen).toBe(created.pop_a!.listen);
    expect(await roundTrip(await connect(again.pop_a!))).toBeLessThan(100);
  });

  it('removes every toxic and re-enables every proxy on reset', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxic('latency', { latency: 500, jitter: 0 }));
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await toxiproxy.reset();
    const after = (await (await fetch(`${server.url}/proxies/${proxy.name}`)).json()) as unknown;
    expect(after).toMatchObject({ enabled: true, toxics: [] });
    expect(await roundTrip(await connect(proxy))).toBeLessThan(100);
  });
});

describe('toxics on real traffic', () => {
  it('latency delays each direction by its latency', async () => {
    const proxy = await newProxy();
    const client = await connect(proxy);
    expect(await roundTrip(client)).toBeLessThan(50);
    await proxy.addToxic(toxic('latency', { latency: 150, jitter: 0 }));
    const downOnly = await roundTrip(client);
    expect(downOnly).toBeGreaterThanOrEqual(148);
    expect(downOnly).toBeLessThan(250);
    await proxy.addToxic(toxic('latency', { latency: 100, jitter: 0 }, { stream: 'upstream' }));
    const both = await roundTrip(client);
    expect(both).toBeGreaterThanOrEqual(248);
    expect(both).toBeLessThan(350);
  });

  it('latency jitter stays within latency ± jitter', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxic('latency', { latency: 100, jitter: 50 }));
    const client = await connect(proxy);
    const samples: number[] = [];
    for (let i = 0; i < 8; i += 1) samples.push(await roundTrip(client));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(48);
    expect(Math.max(...samples)).toBeLessThan(150 + 40);
    expect(Math.max(...samples) - Math.min(...samples)).toBeGreaterThan(10);
  });

  it('bandwidth caps throughput at rate KB/s', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxic('bandwidth', { rate: 100 }));
    const client = await connect(proxy);
    const size = 50_000;
    const start = performance.now();
    client.socket.write(Buffer.alloc(size, 7));
    const bytesPerSec = size / (((await client.waitForBytes(size)) - start) / 1000);
    expect(bytesPerSec).toBeLessThanOrEqual(105_000);
    expect(bytesPerSec).toBeGreaterThan(70_000);
  });

  it('slow_close holds the close back by delay ms', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxic('slow_close', { delay: 300 }));
    const client = await connect(proxy);
    await roundTrip(client);
    const start = performance.now();
    client.socket.end();
    const { at } = await client.closed;
    expect(at - start).toBeGreaterThanOrEqual(295);
    expect(at - start).toBeLessThan(500);
  });

  it('timeout 0 black-holes data without closing, and removal closes the link', async () => {
    const proxy = await newProxy();
    const timeout = await proxy.addToxic(toxic('timeout', { timeout: 0 }));
    const client = await connect(proxy);
    client.socket.write('into the void');
    expect(await settlesWithin(client.closed, 300)).toBe('pending');
    expect(client.bytes()).toBe(0);
    await timeout.remove();
    await client.closed;
    expect(client.bytes()).toBe(0);
  });

  it('timeout N closes the connection after N ms', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxic('timeout', { timeout: 200 }));
    const start = performance.now();
    const client = await connect(proxy);
    client.socket.write('dropped');
    const { at } = await client.closed;
    expect(at - start).toBeGreaterThanOrEqual(195);
    expect(at - start).toBeLessThan(400);
    expect(client.bytes()).toBe(0);
  });

  it('reset_peer resets the connection (ECONNRESET) timeout ms after traffic', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxic('reset_peer', { timeout: 100 }));
    const client = await connect(proxy);
    const start = performance.now();
    client.socket.write('hello');
    const { at, code } = await client.closed;
    expect(code).toBe('ECONNRESET');
    expect(at - start).toBeGreaterThanOrEqual(95);
    expect(client.bytes()).toBe(0);
  });

  it('reset_peer added to an open connection closes it cleanly on the next send, as Toxiproxy does', async () => {
    const proxy = await newProxy();
    const client = await connect(proxy);
    expect(await roundTrip(client)).toBeLessThan(100);
    await proxy.addToxic(toxic('reset_peer', { timeout: 0 }, { stream: 'upstream' }));
    client.socket.write('dropped');
    const { code } = await client.closed;
    expect(code).toBeUndefined();
    expect(client.bytes()).toBe(4);
  });

  it('limit_data closes after exactly N bytes', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxic('limit_data', { bytes: 1000 }));
    const client = await connect(proxy);
    client.socket.write(Buffer.alloc(600, 1));
    await client.waitForBytes(600);
    client.socket.write(Buffer.alloc(2400, 2));
    const { code } = await client.closed;
    expect(code).toBeUndefined();
    expect(client.bytes()).toBe(1000);
  });

  it('slicer delivers a chunk as several pieces of about average_size', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxic('slicer', { average_size: 100, size_variation: 20, delay: 10_000 }));
    const client = await connect(proxy);
    client.socket.write(Buffer.alloc(1000, 3));
    await client.waitForBytes(1000);
    // A busy event loop may read two adjacent pieces at once, so judge the median, not the max.
    const sizes = client.chunks.map((c) => c.size).sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)]!;
    expect(sizes.length).toBeGreaterThanOrEqual(5);
    expect(median).toBeGreaterThanOrEqual(50);
    expect(median).toBeLessThanOrEqual(120);
    // About 10 pieces 10 ms apart: the last arrives at least ~7 gaps after the first.
    expect(client.chunks.at(-1)!.at - client.chunks[0]!.at).toBeGreaterThanOrEqual(65);
  });

  it('slicer accepts size_variation equal to average_size and still delivers every byte', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxic('slicer', { average_size: 1000, size_variation: 1000, delay: 0 }));
    const client = await connect(proxy);
    client.socket.write(Buffer.alloc(20_000, 5));
    await client.waitForBytes(20_000);
    expect(client.bytes()).toBe(20_000);
  });

  it('toxicity 2 always applies the toxic, as Toxiproxy rolls [0, 1) against it', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxic('latency', { latency: 150, jitter: 0 }, { toxicity: 2 }));
    expect(await roundTrip(await connect(proxy))).toBeGreaterThanOrEqual(150);
  });

  it('toxicity 0 never applies the toxic', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxic('latency', { latency: 300, jitter: 0 }, { toxicity: 0 }));
    for (let i = 0; i < 5; i += 1) expect(await roundTrip(await connect(proxy))).toBeLessThan(100);
  });

  it('applies toxics added to, and drops toxics removed from, an open connection', async () => {
    const proxy = await newProxy();
    const client = await connect(proxy);
    expect(await roundTrip(client)).toBeLessThan(50);
    const latency = await proxy.addToxic(toxic('latency', { latency: 200, jitter: 0 }));
    expect(await roundTrip(client)).toBeGreaterThanOrEqual(198);
    await latency.update({ ...latency.toJson(), attributes: { latency: 50, jitter: 0 } });
    const updated = await roundTrip(client);
    expect(updated).toBeGreaterThanOrEqual(48);
    expect(updated).toBeLessThan(150);
    await latency.remove();
    expect(await roundTrip(client)).toBeLessThan(50);
  });
});

/** Status codes as real Toxiproxy 2.12.0 answers them; the client turns a non-2xx into ToxiproxyError. */
describe('status codes through toxiproxy-node-client', () => {
  const statusOf = (promise: Promise<unknown>): Promise<string> =>
    promise.then(
      () => 'ok',
      (error: Error) => /status code (\d+)/.exec(error.message)?.[1] ?? error.message,
    );

  it.each([
    ['toxicity 2', toxic('latency', { latency: 1 }, { toxicity: 2 }), 'ok'],
    ['a negative latency', toxic('latency', { latency: -10, jitter: 0 }), 'ok'],
    ['the noop toxic', toxic('noop', {}), 'ok'],
    [
      'slicer size_variation = average_size',
      toxic('slicer', { average_size: 1000, size_variation: 1000, delay: 0 }),
      'ok',
    ],
    [
      'slicer average_size 0 (Toxiproxy recurses until it crashes)',
      toxic('slicer', { average_size: 0 }),
      '400',
    ],
    ['latency 1e12 ms (beyond any Node timer)', toxic('latency', { latency: 1e12, jitter: 0 }), '400'],
  ])('adding %s answers %s', async (_, body, expected) => {
    const proxy = await newProxy();
    expect(await statusOf(proxy.addToxic(body))).toBe(expected);
  });

  it('accepts an upstream without a port and closes its clients at connect', async () => {
    const proxy = await toxiproxy.createProxy({
      name: 'nohostport',
      listen: '127.0.0.1:0',
      upstream: 'nohostport',
    });
    const client = await connect(proxy);
    expect((await client.closed).code).toBeUndefined();
  });

  it('answers 500 for a listen port out of range, and 201 for a name listed twice in populate', async () => {
    expect(
      await statusOf(
        toxiproxy.createProxy({ name: 'badport', listen: '127.0.0.1:99999', upstream: echo.address }),
      ),
    ).toBe('500');
    const populated = await toxiproxy.populate([
      { name: 'twice', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'twice', listen: '127.0.0.1:0', upstream: echo.address },
    ]);
    expect(Object.keys(populated)).toEqual(['twice']);
  });

  it('answers 400 for a path that does not decode, and 405 with an empty body for a wrong method', async () => {
    const undecodable = await fetch(`${server.url}/proxies/%ZZ`);
    expect([undecodable.status, await undecodable.json()]).toEqual([
      400,
      { error: 'bad request path: URI malformed', status: 400 },
    ]);
    const wrongMethod = await fetch(`${server.url}/proxies`, { method: 'PUT' });
    expect([wrongMethod.status, await wrongMethod.text()]).toEqual([405, '']);
  });
});
