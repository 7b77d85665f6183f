import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectClient,
  roundTrip,
  settlesWithin,
  startEchoServer,
  tryConnect,
  type EchoServer,
  type RecordingClient,
} from './conformance-helpers.ts';
import { startFaultProxyProcess, type FaultProxyProcess } from './fault-proxy-process.ts';
import { pickFreePorts } from './listen-ports.ts';
import { waitFor } from '../../system/shared/testing/wait-for.ts';

interface ShardView {
  shard: number;
  pid: number;
  url: string;
  connections: Record<string, number>;
}

let echo: EchoServer;
let dir: string;
let faultProxy: FaultProxyProcess;
let toxiproxy: Toxiproxy;
let nameCounter = 0;
const clients: RecordingClient[] = [];

const uniqueName = (prefix: string): string => `${prefix}_${process.pid}_${++nameCounter}`;

async function getJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

const shardsOf = async (url: string): Promise<ShardView[]> =>
  (await getJson<{ shards: ShardView[] }>(`${url}/shards`)).body.shards;

/** A process that is gone or a zombie no longer holds sockets. */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function openClients(address: string, count: number): Promise<RecordingClient[]> {
  const opened = await Promise.all(Array.from({ length: count }, () => connectClient(address)));
  clients.push(...opened);
  // A round trip proves that each connection reached a shard and its upstream.
  await Promise.all(opened.map((client) => roundTrip(client)));
  return opened;
}

beforeAll(async () => {
  echo = await startEchoServer();
  dir = await mkdtemp(path.join(tmpdir(), 'toxiproxy-sharded-'));
  faultProxy = await startFaultProxyProcess({ shards: 2, logFile: path.join(dir, 'fault-proxy.log') });
  toxiproxy = new Toxiproxy(faultProxy.url);
});

afterAll(async () => {
  for (const client of clients) client.socket.destroy();
  await faultProxy?.stop();
  await echo?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('toxiproxy --shards 2', () => {
  it('spreads the connections of one proxy over both shard processes', async () => {
    const proxy = await toxiproxy.createProxy({
      name: uniqueName('spread'),
      listen: '127.0.0.1:0',
      upstream: echo.address,
    });
    await openClients(proxy.listen, 20);
    let shards: ShardView[] = [];
    await waitFor(
      async () => {
        shards = await shardsOf(faultProxy.url);
        return shards.reduce((sum, s) => sum + (s.connections[proxy.name] ?? 0), 0) === 20;
      },
      5_000,
      '20 connections in the shards',
    );
    expect(shards).toHaveLength(2);
    expect(new Set(shards.map((s) => s.pid)).size).toBe(2);
    expect(shards.map((s) => s.pid)).not.toContain(faultProxy.pid);
    for (const shard of shards) expect(shard.connections[proxy.name]).toBeGreaterThan(0);
    await proxy.remove();
  });

  it('applies a reset_peer toxic added through the primary to every open connection (a clean close, as in Toxiproxy)', async () => {
    const proxy = await toxiproxy.createProxy({
      name: uniqueName('reset'),
      listen: '127.0.0.1:0',
      upstream: echo.address,
    });
    const opened = await openClients(proxy.listen, 20);
    await proxy.addToxic({
      name: 'rst',
      type: 'reset_peer',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    // reset_peer fires on the first chunk in its direction: send one on every connection.
    for (const client of opened) client.socket.write('ping');
    const closed = await Promise.race([
      Promise.all(opened.map((client) => client.closed)),
      sleep(5_000).then(() => undefined),
    ]);
    // Added to open connections, reset_peer closes them with a FIN: Toxiproxy sets SO_LINGER 0 only at connect.
    expect(closed?.map((c) => c.code)).toEqual(Array.from({ length: 20 }, () => undefined));
    await proxy.remove();
  });

  it('refuses new connections in every shard while disabled and serves them again once enabled', async () => {
    let proxy: Proxy = await toxiproxy.createProxy({
      name: uniqueName('toggle'),
      listen: '127.0.0.1:0',
      upstream: echo.address,
    });
    const open = await openClients(proxy.listen, 4);
    for (let round = 0; round < 3; round++) {
      proxy = await proxy.update({ ...proxy.toJson(), enabled: false });
      expect(proxy.enabled).toBe(false);
      // Several attempts: the primary hands connections round-robin, so one could reach either shard.
      for (let i = 0; i < 4; i++) expect(await tryConnect(proxy.listen)).toBe('ECONNREFUSED');
      proxy = await proxy.update({ ...proxy.toJson(), enabled: true });
      const again = await openClients(proxy.listen, 4);
      for (const client of again) client.socket.destroy();
    }
    // Disabling closed the connections that were open in both shards.
    expect(await settlesWithin(Promise.all(open.map((client) => client.closed)), 2_000)).toBe('settled');
    await proxy.remove();
    expect(await tryConnect(proxy.listen)).toBe('ECONNREFUSED');
  });

  it('resolves a listen port of 0 once, so every shard listens on the same port', async () => {
    const zero = await toxiproxy.createProxy({
      name: uniqueName('zero'),
      listen: '127.0.0.1:0',
      upstream: echo.address,
    });
    const implicit = await getJson<{ name: string; listen: string }>(`${faultProxy.url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name: uniqueName('implicit'), upstream: echo.address }),
    });
    const populated = await toxiproxy.populate([
      { name: uniqueName('pop'), listen: '127.0.0.1:0', upstream: echo.address, enabled: true },
      { name: uniqueName('pop'), listen: '127.0.0.1:0', upstream: echo.address, enabled: true },
    ]);
    const all = [zero.toJson(), implicit.body, ...Object.values(populated).map((p) => p.toJson())];
    const ports = all.map((p) => Number(p.listen.split(':')[1]));
    for (const port of ports) expect(port).toBeGreaterThan(0);
    expect(new Set(ports).size).toBe(4);
    for (const shard of await shardsOf(faultProxy.url)) {
      const seen = (await getJson<Record<string, { listen: string }>>(`${shard.url}/proxies`)).body;
      for (const proxy of all) expect(seen[proxy.name]?.listen).toBe(proxy.listen);
    }
    for (const proxy of all) {
      const client = (await openClients(proxy.listen, 1))[0]!;
      client.socket.destroy();
      await toxiproxy.get(proxy.name).then((p) => p.remove());
    }
  });

  it.each([
    ['GET', '/proxies/%ZZ', undefined, 400, 'text/plain; charset=utf-8', /^\{"error":"bad request path/],
    ['GET', '/nope', undefined, 404, 'text/plain; charset=utf-8', /^404 page not found\n$/],
    ['PUT', '/proxies', undefined, 405, null, /^$/],
    [
      'POST',
      '/proxies',
      '{"name":"badport","listen":"127.0.0.1:99999","upstream":"x:1"}',
      500,
      'text/plain; charset=utf-8',
      /^\{"error":"listen failed/,
    ],
    ['POST', '/proxies/none/toxics', '{"type":"noop"}', 404, 'text/plain; charset=utf-8', /proxy not found/],
  ])('forwards %s %s as a shard answers it: %i', async (method, route, body, status, contentType, text) => {
    const response = await fetch(`${faultProxy.url}${route}`, { method, body });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe(contentType);
    expect(await response.text()).toMatch(text);
  });

  it('answers with the first error when the shards disagree, and /reset reaches every shard', async () => {
    const [shard1, shard2] = await shardsOf(faultProxy.url);
    const name = uniqueName('split');
    const [port] = await pickFreePorts(['127.0.0.1']);
    const body = JSON.stringify({ name, listen: `127.0.0.1:${port}`, upstream: echo.address });
    // Only shard 1 knows the proxy, so creating it through the primary conflicts in shard 1 alone.
    expect((await fetch(`${shard1!.url}/proxies`, { method: 'POST', body })).status).toBe(201);
    const created = await getJson<{ status: number }>(`${faultProxy.url}/proxies`, { method: 'POST', body });
    expect(created).toEqual({ status: 409, body: { error: 'proxy already exists', status: 409 } });
    const proxy = await toxiproxy.get(name);
    await proxy.update({ ...proxy.toJson(), enabled: false });
    await proxy.addToxic({
      name: 'slow',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 500 },
    });
    await toxiproxy.reset();
    for (const shard of [shard1!, shard2!]) {
      const seen = (await getJson<{ enabled: boolean; toxics: unknown[] }>(`${shard.url}/proxies/${name}`))
        .body;
      expect(seen).toMatchObject({ enabled: true, toxics: [] });
    }
    await proxy.remove();
  });
});

describe('toxiproxy --shards 2 process lifetime', () => {
  it('stops the primary and every shard when the parent dies by SIGKILL', async () => {
    const module = fileURLToPath(new URL('./fault-proxy-process.ts', import.meta.url));
    const logFile = path.join(dir, 'orphan.log');
    const script =
      `const { startFaultProxyProcess } = await import(${JSON.stringify(module)});` +
      `const p = await startFaultProxyProcess({ shards: 2, logFile: ${JSON.stringify(logFile)} });` +
      `console.log(JSON.stringify({ pid: p.pid, url: p.url })); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.on('data', (data: Buffer) => (out += data.toString()));
    await waitFor(
      () => out.includes('\n') || parent.exitCode !== null,
      20_000,
      'the parent to start the proxy',
    );
    const started = JSON.parse(out) as { pid: number; url: string };
    const pids = [started.pid, ...(await shardsOf(started.url)).map((s) => s.pid)];
    expect(pids.every(isAlive)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !pids.some(isAlive), 8_000, `pids ${pids.join(', ')} to exit`);
  });

  it('stops every shard and exits 0 on SIGTERM', async () => {
    const pids = (await shardsOf(faultProxy.url)).map((s) => s.pid);
    expect(await faultProxy.stop()).toBeUndefined();
    expect(await faultProxy.exited).toBe('code 0');
    expect(pids.some(isAlive)).toBe(false);
  });
});
