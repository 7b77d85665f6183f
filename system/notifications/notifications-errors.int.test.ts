import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../shared/testing/raw-http.ts';
import { startHarness, type NotificationsHarness } from './testing/notifications-harness.ts';

let h: NotificationsHarness;
let port: number;
beforeAll(async () => {
  h = await startHarness();
  port = Number(new URL(h.baseUrl).port);
});
afterAll(async () => {
  await h?.close();
});

async function expectProblem(res: Response, status: number, code: string): Promise<void> {
  const text = await res.text();
  expect(res.status, text.slice(0, 200)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect((JSON.parse(text) as { code: string }).code).toBe(code);
}

describe('notifications error answers', () => {
  it('answers an unknown path with a 404 problem document', async () => {
    await expectProblem(await fetch(`${h.baseUrl}/no/such/thing`), 404, 'route_not_found');
  });

  it('answers a wrong method on the stream with 405 and Allow', async () => {
    const res = await fetch(`${h.baseUrl}/api/notifications/stream`, { method: 'POST' });
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    await expectProblem(res, 405, 'method_not_allowed');
  });

  it('answers HEAD on the stream at once, without opening a stream', async () => {
    const res = await fetch(`${h.baseUrl}/api/notifications/stream`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(5_000),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(h.service.testing.sse.size()).toBe(0);
  });

  it('answers an unsatisfiable range on a static file with a 416 problem document', async () => {
    const res = await fetch(`${h.baseUrl}/index.html`, { headers: { range: 'bytes=99999999-' } });
    await expectProblem(res, 416, 'range_not_satisfiable');
  });

  it('answers broken JSON on the proxy with a 400 problem document', async () => {
    const res = await fetch(`${h.baseUrl}/proxy/api/students`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"firstName":',
    });
    await expectProblem(res, 400, 'malformed_json');
  });

  it('answers a proxy the API does not answer with a 503 problem document', async () => {
    const res = await fetch(`${h.baseUrl}/proxy/api/students`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await expectProblem(res, 503, 'dependency_unavailable');
  });

  it('answers an absolute-form target with an impossible port with a 400 problem document', async () => {
    const res = await rawRequest(
      port,
      'GET http://x:99999/api/notifications/stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'malformed_request_target' });
  });
});
