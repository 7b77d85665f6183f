import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../shared/testing/raw-http.ts';
import { jsonHeaders, startTestApi, studentBody, type TestApi } from '../testing/api-harness.ts';

let api: TestApi;
let port: number;
beforeAll(async () => {
  api = await startTestApi();
  port = Number(new URL(api.url).port);
});
afterAll(async () => {
  await api?.close();
});

const create = async (n: string) => {
  const res = await fetch(`${api.url}/api/students`, {
    method: 'POST',
    headers: jsonHeaders,
    body: JSON.stringify(studentBody(n)),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
};

const problemCode = async (res: Response) => {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return ((await res.json()) as { code: string }).code;
};

describe('API hardening', () => {
  it('answers a cursor of 36 hex digits or dashes with 400, not a database error', async () => {
    for (const cursor of ['0'.repeat(36), '-'.repeat(36)]) {
      const res = await fetch(`${api.url}/api/students?cursor=${cursor}`);
      expect(res.status, cursor).toBe(400);
      expect(await problemCode(res)).toBe('validation_failed');
    }
  });

  it('answers a NUL in a name with 400', async () => {
    const res = await fetch(`${api.url}/api/students`, {
      method: 'POST',
      headers: jsonHeaders,
      body: JSON.stringify({ ...studentBody('nul'), firstName: 'A\u0000B' }),
    });
    expect(res.status).toBe(400);
    expect(await problemCode(res)).toBe('validation_failed');
  });

  it('answers a malformed absolute-form target with a problem document and a correlation id', async () => {
    const res = await rawRequest(
      port,
      'GET http://[::1/api/students HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(JSON.parse(res.body)).toMatchObject({ code: 'malformed_request_target' });
  });

  it('serves no deleted student from the response cache under any spelling of its id', async () => {
    const id = await create('deleted');
    const encoded = `/api/students/%${id.charCodeAt(0).toString(16)}${id.slice(1)}`;
    const absolute = (path: string) =>
      rawRequest(port, `GET http://h${path} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`);
    for (let i = 0; i < 2; i++) {
      expect((await fetch(`${api.url}/api/students/${id}`)).status).toBe(200);
      expect((await fetch(`${api.url}${encoded}`)).status).toBe(200);
      expect((await absolute(`/api/students/${id}`)).status).toBe(200);
    }
    expect((await fetch(`${api.url}/api/students/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${api.url}/api/students/${id}`)).status).toBe(404);
    const viaEncoded = await fetch(`${api.url}${encoded}`);
    expect([viaEncoded.status, viaEncoded.headers.get('x-deduplicated')]).toEqual([404, null]);
    const viaAbsolute = await absolute(`/api/students/${id}`);
    expect([viaAbsolute.status, viaAbsolute.headers['x-deduplicated']]).toEqual([404, undefined]);
  });

  it('listens on loopback and sends nosniff on express and fast-path answers', async () => {
    expect((api.service.testing.server.address() as AddressInfo).address).toBe('127.0.0.1');
    const id = await create('nosniff');
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${api.url}/api/students/${id}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const missing = await fetch(`${api.url}/nowhere`);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sends no CORS headers to other origins by default and refuses their preflights', async () => {
    const origin = { origin: 'http://evil.example' };
    const get = await fetch(`${api.url}/api/students`, { headers: origin });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${api.url}/api/students`, {
      method: 'OPTIONS',
      headers: { ...origin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(await problemCode(preflight)).toBe('origin_not_allowed');
  });

  it('answers CORS for the origins in CORS_ORIGINS only', async () => {
    const widened = await startTestApi({ CORS_ORIGINS: 'http://dash.example:3000' });
    try {
      const listed = { origin: 'http://dash.example:3000' };
      const preflight = await fetch(`${widened.url}/api/students`, {
        method: 'OPTIONS',
        headers: { ...listed, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://dash.example:3000');
      const get = await fetch(`${widened.url}/api/students`, { headers: listed });
      expect(get.headers.get('access-control-allow-origin')).toBe('http://dash.example:3000');
      const other = await fetch(`${widened.url}/api/students`, {
        headers: { origin: 'http://evil.example' },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await widened.close();
    }
  });

  it('keeps 1,000 GETs with unique 14 KB queries in a response cache of bounded size', async () => {
    const id = await create('memory');
    const before = api.service.testing.responses.bytes();
    const padding = 'q'.repeat(14_000);
    for (let i = 0; i < 1_000; i++) {
      const res = await fetch(`${api.url}/api/students/${id}?n=${i}&pad=${padding}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    // A hashed key and the student body: well under 1 KB per entry, not the 14 KB of the request.
    expect(api.service.testing.responses.bytes() - before).toBeLessThan(1_000 * 1_024);
  });
});
