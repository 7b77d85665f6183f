import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemViolation, tally, type Answer } from '../shared/testing/problem-check.ts';
import { rawRequest } from '../shared/testing/raw-http.ts';
import { startHarness, type NotificationsHarness } from './testing/notifications-harness.ts';

// Malformed requests against the real notifications service (RabbitMQ, Redis): unknown paths,
// wrong methods, static-file preconditions and ranges, broken proxy bodies, bad Last-Event-IDs and
// raw request lines. Engine.io's own protocol answers under /hubs/notifications are not ours.
let h: NotificationsHarness;
let port: number;
beforeAll(async () => {
  h = await startHarness();
  port = Number(new URL(h.baseUrl).port);
});
afterAll(async () => {
  await h?.close();
});

interface Case {
  label: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  raw?: string | Buffer;
  /** A stream that must open and start with a gap event (a Last-Event-ID it cannot place). */
  expectGapStream?: boolean;
  /** Odd but legal: a stream may open (raw requests whose stream is not read for a gap). */
  allowStream?: boolean;
}

const stream = '/api/notifications/stream';
const http = (line: string, headers: string[] = ['Host: x']) =>
  `${line}\r\n${[...headers, 'Connection: close'].join('\r\n')}\r\n\r\n`;

function* pathAndMethodCases(): Generator<Case> {
  const paths = [
    '/x',
    '/api',
    '/api/notifications',
    `${stream}/extra`,
    '/api/notifications/students',
    '/proxy',
    '/config.json/x',
    '/index.html/x',
    '/%',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2fpackage.json',
    '/.env',
    '/node_modules/express/package.json',
    '/public/../../package.json',
    '/lab.js%00.html',
    `/${'a'.repeat(4_000)}`,
  ];
  for (const path of paths) yield { label: `GET ${path.slice(0, 40)}`, path };
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'FOO'])
    for (const path of [stream, '/api/notifications/students/stream'])
      yield { label: `${method} ${path}`, method, path };
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH'])
    yield { label: `${method} proxy`, method, path: '/proxy/api/students' };
  for (const method of ['POST', 'PUT', 'DELETE'])
    for (const path of ['/config.json', '/health', '/metrics', '/', '/sse-test.html'])
      yield { label: `${method} ${path}`, method, path };
}

function* staticCases(): Generator<Case> {
  for (const path of ['/index.html', '/lab.js', '/lab.css', '/sse-test.html']) {
    yield { label: `range past end ${path}`, path, headers: { range: 'bytes=99999999-' } };
    yield { label: `range far ${path}`, path, headers: { range: 'bytes=5000000-6000000' } };
    yield { label: `if-match ${path}`, path, headers: { 'if-match': '"nope"' } };
    yield {
      label: `if-unmodified-since ${path}`,
      path,
      headers: { 'if-unmodified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' },
    };
  }
}

function* proxyCases(): Generator<Case> {
  const post = (
    label: string,
    body: string | Buffer,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Case => ({
    label: `proxy ${label}`,
    method: 'POST',
    path: '/proxy/api/students',
    headers,
    body,
  });
  for (const body of [
    '{',
    '{"firstName":',
    "{'a':1}",
    '{"a":1}x',
    '[1,',
    'nul',
    '"text"',
    '42',
    'true',
    '{"a":NaN}',
    '\u0000',
  ])
    yield post(`broken JSON ${JSON.stringify(body)}`, body);
  yield post('invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe]));
  yield post('17 KB body', JSON.stringify({ pad: 'p'.repeat(17_000) }));
  yield post('text/plain', '{}', { 'content-type': 'text/plain' });
  yield post('form', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' });
  yield post('xml', '<a/>', { 'content-type': 'application/xml' });
  yield post('no content type', Buffer.from('{}'), {});
  yield post('charset utf-16', '{}', { 'content-type': 'application/json; charset=utf-16' });
  yield post('unknown encoding', '{}', { 'content-type': 'application/json', 'content-encoding': 'x-nope' });
  yield post('gzip garbage', gzipSync('{nope'), {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
  });
  yield post('gzip header, plain body', '{}', {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
  });
}

function* lastEventIdCases(): Generator<Case> {
  const ids = [
    'never-seen',
    '0-0',
    '1-1',
    '-',
    '+',
    '*',
    '$',
    '../../etc/passwd',
    "' OR 1=1 --",
    '{"a":1}',
    'x'.repeat(8_000),
    'notifications:replay',
    '%00',
    '00000000-0000-0000-0000-000000000000',
  ];
  for (const id of ids) {
    yield {
      label: `Last-Event-ID ${id.slice(0, 30)}`,
      path: stream,
      headers: { 'last-event-id': id },
      expectGapStream: true,
    };
    yield {
      label: `?lastEventId=${id.slice(0, 30)}`,
      path: `${stream}?lastEventId=${encodeURIComponent(id)}`,
      expectGapStream: true,
    };
  }
  for (const id of ['李', '\u0000', 'a\u0007b'])
    yield {
      label: `raw Last-Event-ID ${JSON.stringify(id)}`,
      raw: Buffer.from(http(`GET ${stream} HTTP/1.1`, ['Host: x', `Last-Event-ID: ${id}`]), 'utf8'),
      allowStream: true,
    };
}

function* rawCases(): Generator<Case> {
  const raw = (label: string, request: string | Buffer): Case => ({ label, raw: request });
  yield raw('absolute-form port out of range', http(`GET http://x:99999${stream} HTTP/1.1`));
  yield raw('absolute-form unclosed IPv6', http(`GET http://[::1${stream} HTTP/1.1`));
  yield raw('absolute-form ftp', http(`GET ftp://x${stream} HTTP/1.1`));
  yield raw('absolute-form unknown path', http('GET http://x/nowhere HTTP/1.1'));
  yield raw('absolute-form POST stream', http(`POST http://x${stream} HTTP/1.1`));
  yield raw('asterisk-form', http('OPTIONS * HTTP/1.1'));
  yield raw('double slash', http('GET //evil.example/ HTTP/1.1'));
  yield raw('CONNECT', http('CONNECT example.com:443 HTTP/1.1'));
  yield raw('TRACE', http(`TRACE ${stream} HTTP/1.1`));
  yield raw('garbage line', 'HELLO THERE\r\n\r\n');
  yield raw('unknown version', http(`GET ${stream} HTTP/7.0`));
  yield raw('NUL in target', http('GET /\u0000 HTTP/1.1'));
  yield raw('header without colon', http(`GET ${stream} HTTP/1.1`, ['Host: x', 'Broken']));
  yield raw('header of 20 KB', http(`GET ${stream} HTTP/1.1`, ['Host: x', `X-Big: ${'b'.repeat(20_000)}`]));
  yield raw(
    'Last-Event-ID of 20 KB',
    http(`GET ${stream} HTTP/1.1`, ['Host: x', `Last-Event-ID: ${'l'.repeat(20_000)}`]),
  );
  yield raw(
    'two Content-Length on the proxy',
    http('POST /proxy/api/students HTTP/1.1', [
      'Host: x',
      'Content-Type: application/json',
      'Content-Length: 1',
      'Content-Length: 2',
    ]),
  );
  yield raw(
    'bad chunk on the proxy',
    'POST /proxy/api/students HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  );
}

/** Reads until the opening frames (and a gap, when one is due) arrived, then lets go of the stream. */
/** fetch takes bytes as a Uint8Array over an ArrayBuffer, not a Buffer. */
const asBody = (body: string | Buffer | undefined) =>
  body === undefined || typeof body === 'string' ? body : new Uint8Array(body);

async function answer(c: Case): Promise<Answer & { gap?: boolean }> {
  if (c.raw !== undefined) {
    const res = await rawRequest(port, c.raw, 3_000);
    return { status: res.status, contentType: res.headers['content-type'] ?? '', body: res.body };
  }
  const controller = new AbortController();
  const res = await fetch(`${h.baseUrl}${c.path ?? '/'}`, {
    method: c.method ?? 'GET',
    headers: c.headers,
    body: asBody(c.body),
    signal: controller.signal,
  });
  const contentType = res.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/event-stream'))
    return { status: res.status, contentType, body: await res.text() };
  let text = '';
  const reader = res.body!.getReader();
  const deadline = Date.now() + 10_000;
  while (!text.includes('event: gap') && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  controller.abort();
  return { status: res.status, contentType, body: text, gap: text.includes('event: gap') };
}

describe('malformed requests to the notifications service', () => {
  it('answers every one without a 5xx, every 4xx as a problem document with a code, and stays healthy', async () => {
    const cases = [
      ...pathAndMethodCases(),
      ...staticCases(),
      ...proxyCases(),
      ...lastEventIdCases(),
      ...rawCases(),
    ];
    expect(cases.length).toBeGreaterThanOrEqual(100);
    const answers: Answer[] = [];
    const failures: string[] = [];
    for (const c of cases) {
      const a = await answer(c);
      answers.push(a);
      const violation = problemViolation(a, c.expectGapStream === true || c.allowStream === true);
      if (violation) failures.push(`${c.label}: ${violation} ${a.body.slice(0, 100)}`);
      else if (c.expectGapStream && !a.gap) failures.push(`${c.label}: stream without a gap event`);
    }
    const counts = tally(answers);
    console.info(`notifications suite: ${JSON.stringify(counts)}`);
    expect(failures).toEqual([]);
    expect(counts.serverErrors).toBe(0);
    expect(counts.nonProblem4xx).toBe(0);
    expect((await fetch(`${h.baseUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${h.baseUrl}/config.json`)).status).toBe(200);
  });
});
