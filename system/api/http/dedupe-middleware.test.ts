import type { AddressInfo } from 'node:net';
import express from 'express';
import { Registry, Counter, Histogram } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiServer } from '../server.ts';
import { createDedupeMiddleware, type DedupeMode } from './dedupe-middleware.ts';
import { createFastPath } from './fast-path.ts';
import { createResponseCache, type ResponseCache } from './response-cache.ts';

const id = '6f1c2d4e-0000-4000-8000-000000000001';
const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

interface Harness {
  url: string;
  cache: ResponseCache;
  calls: () => number;
  outcomes: () => Promise<Record<string, number>>;
}

type Behaviour = (call: number, req: express.Request, res: express.Response) => Promise<void> | void;

async function harness(
  behaviour: Behaviour,
  options: { mode?: DedupeMode; followerWaitMs?: number; now?: () => number } = {},
): Promise<Harness> {
  const registry = new Registry();
  const counter = new Counter({
    name: 'dedupe_requests_total',
    help: 'h',
    labelNames: ['route', 'outcome'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_duration',
    help: 'h',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const cache = createResponseCache({ maxEntries: 100, now: options.now });
  const dedupe = createDedupeMiddleware({
    route: '/api/students/:id',
    windowSec: 30,
    mode: options.mode ?? 'cache',
    cache,
    followerWaitMs: options.followerWaitMs ?? 2_000,
    counter,
  });
  let calls = 0;
  const app = express();
  app.use(
    express.json({
      verify: (req, _res, buf) => void ((req as { rawBody?: Buffer }).rawBody = Buffer.from(buf)),
    }),
  );
  app.all('/api/students/:id', dedupe, async (req, res) => behaviour(++calls, req, res));
  const server = createApiServer(
    app,
    createFastPath({ cache, route: '/api/students/:id', counter, httpDuration }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/students/${id}`,
    cache,
    calls: () => calls,
    outcomes: async () =>
      Object.fromEntries((await counter.get()).values.map((v) => [String(v.labels.outcome), v.value])),
  };
}

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
};

const deduplicated = (responses: Response[]) =>
  responses.filter((r) => r.headers.get('x-deduplicated') === 'true').length;

describe('createDedupeMiddleware', () => {
  it('coalesces identical GETs in flight onto one execution; only followers are marked', async () => {
    const release = gate();
    const h = await harness(async (_call, _req, res) => {
      await release.opened;
      res.json({ ok: true });
    });
    const pending = Array.from({ length: 20 }, () => fetch(h.url));
    await new Promise((r) => setTimeout(r, 200));
    release.open();
    const responses = await Promise.all(pending);
    expect(h.calls()).toBe(1);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(deduplicated(responses)).toBe(19);
    expect(await h.outcomes()).toMatchObject({ executed: 1, coalesced: 19 });
  });

  it('never hands a failing leader error to its followers: they run the request themselves', async () => {
    const release = gate();
    const h = await harness(async (call, _req, res) => {
      if (call === 1) {
        await release.opened;
        res.status(500).json({ code: 'internal' });
      } else res.json({ call });
    });
    const pending = Array.from({ length: 5 }, () => fetch(h.url));
    await new Promise((r) => setTimeout(r, 200));
    release.open();
    const statuses = (await Promise.all(pending)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 500]);
    expect(h.calls()).toBe(5);
  });

  it('lets followers of a cancelled leader run the request themselves', async () => {
    const release = gate();
    const h = await harness(async (call, _req, res) => {
      if (call === 1) await release.opened;
      if (!res.destroyed) res.json({ call });
    });
    const leader = new AbortController();
    const leaderResponse = fetch(h.url, { signal: leader.signal }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 100));
    const follower = fetch(h.url);
    await new Promise((r) => setTimeout(r, 100));
    leader.abort();
    expect(await leaderResponse).toBe('aborted');
    const res = await follower;
    expect(res.status).toBe(200);
    expect(res.headers.get('x-deduplicated')).toBeNull();
    release.open();
  });

  it('bounds the follower wait, then runs the request itself', async () => {
    const h = await harness(
      async (call, _req, res) => {
        if (call === 1) await new Promise((r) => setTimeout(r, 600));
        res.json({ call });
      },
      { followerWaitMs: 50 },
    );
    const first = fetch(h.url);
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    const second = await fetch(h.url);
    expect(performance.now() - started).toBeLessThan(500);
    expect(await second.json()).toEqual({ call: 2 });
    expect(second.headers.get('x-deduplicated')).toBeNull();
    await first;
  });

  it('does not cache errors', async () => {
    const h = await harness((call, _req, res) => void res.status(404).json({ call }));
    await fetch(h.url);
    const again = await fetch(h.url);
    expect(again.status).toBe(404);
    expect(again.headers.get('x-deduplicated')).toBeNull();
    expect(h.calls()).toBe(2);
  });

  it('replays a success for the window from the raw fast path, keyed by Authorization, until it expires or is invalidated', async () => {
    let now = 1_000_000;
    const h = await harness((call, _req, res) => void res.json({ call }), { now: () => now });
    await fetch(h.url);
    const hit = await fetch(h.url, { headers: { 'x-correlation-id': 'c-1' } });
    expect(hit.headers.get('x-deduplicated')).toBe('true');
    expect(hit.headers.get('x-correlation-id')).toBe('c-1');
    expect(await hit.json()).toEqual({ call: 1 });
    expect(
      (await fetch(h.url, { headers: { authorization: 'Bearer b' } })).headers.get('x-deduplicated'),
    ).toBeNull();
    h.cache.invalidateStudent(id);
    expect(await (await fetch(h.url)).json()).toEqual({ call: 3 });
    now += 31_000;
    expect(await (await fetch(h.url)).json()).toEqual({ call: 4 });
    expect(await h.outcomes()).toMatchObject({ executed: 4, cached: 1 });
  });

  it('keys PUTs by body: a different body executes, the same body replays', async () => {
    const h = await harness((call, _req, res) => void res.json({ call }));
    const put = (body: object) =>
      fetch(h.url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await put({ a: 1 });
    expect((await put({ a: 1 })).headers.get('x-deduplicated')).toBe('true');
    expect(await (await put({ a: 2 })).json()).toEqual({ call: 2 });
  });

  it('only coalesces in coalesce mode (the seed) and does nothing in off mode', async () => {
    const coalesce = await harness((call, _req, res) => void res.json({ call }), { mode: 'coalesce' });
    await fetch(coalesce.url);
    expect((await fetch(coalesce.url)).headers.get('x-deduplicated')).toBeNull();
    expect(coalesce.calls()).toBe(2);
    const off = await harness(
      async (call, _req, res) => {
        await new Promise((r) => setTimeout(r, 50));
        res.json({ call });
      },
      { mode: 'off' },
    );
    const responses = await Promise.all(Array.from({ length: 5 }, () => fetch(off.url)));
    expect(deduplicated(responses)).toBe(0);
    expect(off.calls()).toBe(5);
    expect(await off.outcomes()).toMatchObject({ bypass: 5 });
  });

  it('keys a percent-encoded spelling of the id as the same student, so invalidation drops it too', async () => {
    const h = await harness((call, _req, res) => void res.json({ call }));
    // `%36` is `6`, the id's first character: express decodes it, the raw text differs.
    const encoded = h.url.replace(`/${id}`, `/%${id.charCodeAt(0).toString(16)}${id.slice(1)}`);
    await fetch(encoded);
    expect((await fetch(encoded)).headers.get('x-deduplicated')).toBe('true');
    h.cache.invalidateStudent(id);
    const after = await fetch(encoded);
    expect(after.headers.get('x-deduplicated')).toBeNull();
    expect(await after.json()).toEqual({ call: 2 });
  });
});
