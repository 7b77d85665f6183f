import { Toxiproxy, ToxiproxyError } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from './conformance-helpers.ts';
import { createToxiproxyServer, type ToxiproxyServer } from './toxiproxy-server.ts';

let server: ToxiproxyServer;
let echo: EchoServer;
let toxiproxy: Toxiproxy;

beforeAll(async () => {
  server = await createToxiproxyServer({ port: 0 });
  echo = await startEchoServer();
  toxiproxy = new Toxiproxy(server.url);
  await toxiproxy.createProxy({ name: 'api', listen: '127.0.0.1:0', upstream: echo.address });
});

afterAll(async () => {
  await server.close();
  await echo.close();
});

async function call(method: string, path: string, body?: string) {
  const response = await fetch(`${server.url}${path}`, { method, body });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    json: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

describe('Toxiproxy API shapes and errors', () => {
  it('answers /version with a JSON version', async () => {
    expect(JSON.parse(await toxiproxy.getVersion())).toEqual({ version: expect.any(String) as string });
  });

  it('fills toxic defaults: stream downstream, toxicity 1, name <type>_<stream>, all attributes', async () => {
    const { status, json } = await call(
      'POST',
      '/proxies/api/toxics',
      '{"type":"latency","attributes":{"latency":5}}',
    );
    expect(status).toBe(200);
    expect(json).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 5, jitter: 0 },
    });
    expect((await call('GET', '/proxies/api/toxics')).json).toEqual([json]);
    expect((await call('DELETE', '/proxies/api/toxics/latency_downstream')).status).toBe(204);
  });

  it('merges a partial toxic update onto the current attributes', async () => {
    await call('POST', '/proxies/api/toxics', '{"type":"slicer","attributes":{"average_size":10,"delay":7}}');
    const { json } = await call(
      'POST',
      '/proxies/api/toxics/slicer_downstream',
      '{"attributes":{"average_size":20}}',
    );
    expect(json).toMatchObject({
      toxicity: 1,
      attributes: { average_size: 20, size_variation: 0, delay: 7 },
    });
    await call('DELETE', '/proxies/api/toxics/slicer_downstream');
  });

  it.each([
    ['GET', '/proxies/missing', undefined, 404, 'proxy not found'],
    ['DELETE', '/proxies/missing', undefined, 404, 'proxy not found'],
    ['GET', '/proxies/api/toxics/missing', undefined, 404, 'toxic not found'],
    ['DELETE', '/proxies/api/toxics/missing', undefined, 404, 'toxic not found'],
    ['POST', '/proxies/missing/toxics', '{"type":"latency"}', 404, 'proxy not found'],
    ['POST', '/proxies', '{"name":', 400, 'bad request body'],
    ['POST', '/proxies', '', 400, 'bad request body: EOF'],
    [
      'POST',
      '/proxies',
      '{"listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}',
      400,
      'missing required field: name',
    ],
    ['POST', '/proxies', '{"name":"x","listen":"127.0.0.1:0"}', 400, 'missing required field: upstream'],
    [
      'POST',
      '/proxies',
      `{"name":"api","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}`,
      409,
      'proxy already exists',
    ],
    ['POST', '/proxies/api/toxics', '{"type":"nope"}', 400, 'invalid toxic type'],
    ['POST', '/proxies/api/toxics', '{"type":"latency","stream":"sideways"}', 400, 'stream was invalid'],
    [
      'POST',
      '/proxies/api/toxics',
      '{"type":"latency","attributes":{"latency":"1s"}}',
      400,
      'bad request body',
    ],
    [
      'POST',
      '/proxies/api/toxics',
      '{"type":"latency","attributes":{"latency":2147483648}}',
      400,
      'bad request body: attribute latency must be at most 2147483647',
    ],
    [
      'POST',
      '/proxies/api/toxics',
      '{"type":"latency","attributes":{"latency":1e12}}',
      400,
      'bad request body',
    ],
    ['POST', '/proxies/api/toxics', '{"type":"bandwidth","attributes":{"rate":-1}}', 400, 'bad request body'],
    [
      'POST',
      '/proxies/api/toxics',
      '{"type":"slicer","attributes":{"average_size":10,"size_variation":11}}',
      400,
      'bad request body',
    ],
    ['GET', '/proxies/%ZZ', undefined, 400, 'bad request path'],
    ['POST', '/proxies', '{"name":"bad","listen":"127.0.0.1:99999","upstream":"x:1"}', 500, 'listen failed'],
    [
      'POST',
      '/proxies/api/toxics',
      '{"type":"slicer","attributes":{"average_size":0}}',
      400,
      'bad request body',
    ],
    ['POST', '/populate', '{"name":"x"}', 400, 'bad request body'],
    ['POST', '/populate', '[{"name":"x"}]', 400, 'missing required field: upstream at proxy 1'],
  ])('%s %s %s answers %i', async (method, path, body, status, message) => {
    const response = await call(method, path, body);
    expect(response.status).toBe(status);
    expect(response.json).toMatchObject({ status });
    expect((response.json as { error: string }).error).toContain(message);
    // Toxiproxy writes errors through Go's http.Error: JSON text labelled text/plain (populate excepted).
    expect(response.contentType).toBe(
      path === '/populate' ? 'application/json' : 'text/plain; charset=utf-8',
    );
  });

  it.each([
    ['a negative latency (acts as 0)', '{"type":"latency","attributes":{"latency":-1,"jitter":-5}}'],
    ['toxicity above 1 (always applies)', '{"type":"latency","toxicity":2}'],
    ['a negative toxicity (never applies)', '{"type":"latency","toxicity":-0.5}'],
    [
      'size_variation equal to average_size',
      '{"type":"slicer","attributes":{"average_size":9,"size_variation":9}}',
    ],
    ['the noop toxic', '{"type":"noop"}'],
  ])('accepts %s like Toxiproxy', async (_, body) => {
    const created = await call('POST', '/proxies/api/toxics', body);
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject(JSON.parse(body) as object);
    const { name } = created.json as { name: string };
    expect((await call('DELETE', `/proxies/api/toxics/${name}`)).status).toBe(204);
  });

  it('accepts an upstream without host:port, as Toxiproxy only fails when dialling it', async () => {
    const created = await call('POST', '/proxies', '{"name":"nohost","upstream":"nohostport"}');
    expect(created).toMatchObject({ status: 201, json: { upstream: 'nohostport', enabled: true } });
    expect((await call('DELETE', '/proxies/nohost')).status).toBe(204);
  });

  it("answers an unknown route with Go's plain 404 and a wrong method with an empty 405", async () => {
    const missing = await fetch(`${server.url}/nope`);
    expect([missing.status, missing.headers.get('content-type'), await missing.text()]).toEqual([
      404,
      'text/plain; charset=utf-8',
      '404 page not found\n',
    ]);
    const wrongMethod = await fetch(`${server.url}/version`, { method: 'DELETE' });
    expect([wrongMethod.status, await wrongMethod.text()]).toEqual([405, '']);
  });

  it('lets a name listed twice in /populate replace the first, answering 201', async () => {
    const body = JSON.stringify([
      { name: 'twice', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'twice', listen: '127.0.0.1:0', upstream: 'elsewhere:1' },
    ]);
    const populated = await call('POST', '/populate', body);
    expect(populated.status).toBe(201);
    expect((await call('GET', '/proxies/twice')).json).toMatchObject({ upstream: 'elsewhere:1' });
    expect((await call('DELETE', '/proxies/twice')).status).toBe(204);
  });

  it('reports a version that semver ranks equal to 2.12.0', async () => {
    expect(JSON.parse(await toxiproxy.getVersion())).toEqual({ version: '2.12.0+embedded' });
  });

  it('answers 409 for a duplicate toxic name', async () => {
    const body = '{"name":"dup","type":"timeout","attributes":{"timeout":0}}';
    expect((await call('POST', '/proxies/api/toxics', body)).status).toBe(200);
    expect(await call('POST', '/proxies/api/toxics', body)).toMatchObject({
      status: 409,
      json: { error: 'toxic already exists', status: 409 },
    });
    await call('DELETE', '/proxies/api/toxics/dup');
  });

  it('surfaces error statuses through the official client as ToxiproxyError', async () => {
    await expect(toxiproxy.get('missing')).rejects.toThrow(ToxiproxyError);
    await expect(toxiproxy.get('missing')).rejects.toThrow('status code 404');
    await expect(
      toxiproxy.createProxy({ name: 'api', listen: '127.0.0.1:0', upstream: echo.address }),
    ).rejects.toThrow('status code 409');
  });

  it('refuses browsers like Toxiproxy does', async () => {
    const response = await fetch(`${server.url}/proxies`, { headers: { 'User-Agent': 'Mozilla/5.0' } });
    expect([response.status, await response.text()]).toEqual([403, 'User agent not allowed\n']);
  });
});
