import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToxiproxyServer, type ToxiproxyServer } from '../faults/toxiproxy-server.ts';
import { findFreePort } from '../target/free-port.ts';
import { runHttpAtFixedRate } from './fixed-rate-http.ts';
import { createHttpClient } from './http-client.ts';

/** A tiny HTTP server; `handle(nowMs, respond)` answers at once or keeps `respond` for later. */
async function startServer(
  handle: (nowMs: number, respond: () => void) => void,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    handle(Date.now(), () => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('fixed-rate HTTP measurement (latency truth)', () => {
  let proxyServer: ToxiproxyServer;
  beforeAll(async () => {
    proxyServer = await createToxiproxyServer({ port: 0 });
  });
  afterAll(async () => {
    await proxyServer.close();
  });

  // No retry: a send that leaves early is timed from when it left, and the toxic never releases
  // early, so the minimum is never below the toxic; a retry would hide a measurement that is wrong.
  it('measures a 40 ms latency toxic as p50 and p99 within a few ms of the truth', async () => {
    const upstream = await startServer((_now, respond) => respond());
    const toxiproxy = new Toxiproxy(proxyServer.url);
    const listenPort = await findFreePort();
    const proxy = await toxiproxy.createProxy({
      name: 'truth',
      listen: `127.0.0.1:${listenPort}`,
      upstream: `127.0.0.1:${upstream.port}`,
    });
    const client = createHttpClient({ baseUrl: `http://127.0.0.1:${listenPort}`, maxSockets: 64 });
    const run = () =>
      runHttpAtFixedRate({ client, ratePerSec: 50, durationMs: 3000, request: () => ({ path: '/' }) });
    try {
      // The truth is the toxic plus this machine's own round trip through the proxy, measured first.
      const base = (await run()).latency.summary();
      await proxy.addToxic({
        name: 'lat',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 40, jitter: 0 },
      });
      const result = await run();
      const s = result.latency.summary();
      expect(result.completed).toBe(150);
      expect(result.errors).toBe(0);
      expect(s.minMs).toBeGreaterThanOrEqual(40);
      expect(Math.abs(s.p50Ms - (40 + base.p50Ms))).toBeLessThan(3);
      expect(s.p99Ms).toBeGreaterThanOrEqual(40);
      expect(s.p99Ms).toBeLessThan(40 + base.p99Ms + 5);
    } finally {
      client.close();
      await proxy.remove();
      await upstream.close();
    }
  });

  it('shows a 1 s server stall as latency of the requests scheduled during it, not as fewer samples', async () => {
    // The server holds every response that arrives during [stallStart, stallStart + 1 s) and
    // releases them all with one timer; `releasedAt` is when that really happened.
    let stallStart = 0;
    let releasedAt = 0;
    const stallMs = 1000;
    const held: (() => void)[] = [];
    const upstream = await startServer((now, respond) => {
      if (stallStart === 0) {
        stallStart = now + 500;
        setTimeout(() => {
          releasedAt = Date.now();
          held.splice(0).forEach((f) => f());
        }, 500 + stallMs);
      }
      if (now >= stallStart && releasedAt === 0) held.push(respond);
      else respond();
    });
    const client = createHttpClient({ baseUrl: upstream.url, maxSockets: 512 });
    try {
      const samples: { intendedMs: number; latencyMs: number }[] = [];
      const result = await runHttpAtFixedRate({
        client,
        ratePerSec: 100,
        durationMs: 2500,
        request: () => ({ path: '/' }),
        onResponse: (e) => samples.push({ intendedMs: e.intendedAtUs / 1000, latencyMs: e.latencyUs / 1000 }),
      });
      // Every scheduled request is a sample: the stall did not slow the sender down.
      expect(result.scheduled).toBe(250);
      expect(result.latency.count).toBe(250);
      // Each request scheduled during the stall waited for the release: truth = release − intended send.
      const inStall = samples.filter(
        (x) => x.intendedMs > stallStart + 10 && x.intendedMs < stallStart + stallMs - 10,
      );
      expect(inStall.length).toBeGreaterThanOrEqual(95);
      const errors = inStall.map((x) => x.latencyMs - (releasedAt - x.intendedMs)).sort((a, b) => a - b);
      // Never less than the truth (nothing hidden; 3 ms for clock differences)…
      expect(errors[0]).toBeGreaterThan(-3);
      // …and close to it: the ~100 held responses are released at once and parsed one after another
      // by server and client sharing this process (tens of ms on a busy 2-core machine).
      expect(errors[Math.floor(errors.length / 2)]).toBeLessThan(150);
      expect(result.latency.summary().maxMs).toBeGreaterThan(950);
      // A closed-loop tool would show the stall as ONE slow sample; here p90 carries it.
      expect(result.latency.summary().p90Ms).toBeGreaterThan(300);
    } finally {
      client.close();
      await upstream.close();
    }
  });
});
