import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemViolation, tally, type Answer } from '../../shared/testing/problem-check.ts';
import { rawRequest } from '../../shared/testing/raw-http.ts';
import { startTestApi, type TestApi } from '../testing/api-harness.ts';

// The sibling of malformed-requests.int.test.ts: wrong types, missing fields, overlong and unicode
// values, cursors, encodings, odd headers and request lines a client library would never send
// (written to a raw socket). Every answer must be a 4xx problem document, never a 5xx.
let api: TestApi;
let port: number;
let existingId: string;
beforeAll(async () => {
  api = await startTestApi();
  port = Number(new URL(api.url).port);
  const res = await fetch(`${api.url}/api/students`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ firstName: 'Edge', lastName: 'Case', email: 'edge@example.com' }),
  });
  existingId = ((await res.json()) as { id: string }).id;
});
afterAll(async () => {
  await api?.close();
});

interface FetchCase {
  kind: 'fetch';
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}
interface RawCase {
  kind: 'raw';
  request: string | Buffer;
}
type Case = (FetchCase | RawCase) & { label: string };

const valid = { firstName: 'A', lastName: 'B', email: 'a@b.co' };
const json = { 'content-type': 'application/json' };

function* bodyCases(): Generator<Case> {
  const bodies: [string, unknown][] = [
    ['firstName true', { ...valid, firstName: true }],
    ['firstName array', { ...valid, firstName: ['A'] }],
    ['firstName object', { ...valid, firstName: {} }],
    ['firstName float', { ...valid, firstName: 1.5 }],
    ['lastName false', { ...valid, lastName: false }],
    ['lastName number', { ...valid, lastName: 0 }],
    ['email number', { ...valid, email: 123 }],
    ['email null', { ...valid, email: null }],
    ['email object', { ...valid, email: { at: 'b.co' } }],
    ['missing firstName', { lastName: 'B', email: 'a@b.co' }],
    ['missing lastName', { firstName: 'A', email: 'a@b.co' }],
    ['missing email', { firstName: 'A', lastName: 'B' }],
    ['only email', { email: 'a@b.co' }],
    ['extra field and bad email', { ...valid, email: 'nope', admin: true }],
    ['extra field and missing name', { lastName: 'B', email: 'a@b.co', role: 'root' }],
    ['prototype key and missing fields', JSON.parse('{"__proto__":{"firstName":"A"}}')],
    ['firstName 101 chars', { ...valid, firstName: 'x'.repeat(101) }],
    ['lastName 5000 chars', { ...valid, lastName: 'y'.repeat(5_000) }],
    ['email 255 chars', { ...valid, email: `${'e'.repeat(250)}@b.co` }],
    ['NUL in firstName', { ...valid, firstName: 'A\u0000B' }],
    ['NUL only lastName', { ...valid, lastName: '\u0000' }],
    ['escape in firstName', { ...valid, firstName: 'A\u001b[31mB' }],
    ['DEL in lastName', { ...valid, lastName: 'B\u007f' }],
    ['newline in firstName', { ...valid, firstName: 'A\nB' }],
    ['NUL in email', { ...valid, email: 'a\u0000@b.co' }],
    ['space in email', { ...valid, email: 'a b@b.co' }],
    ['unicode spaces only', { ...valid, firstName: '\u00a0\u2003' }],
    ['email without domain dot', { ...valid, email: 'a@b' }],
  ];
  const targets = () => [
    { method: 'POST', path: '/api/students' },
    { method: 'PUT', path: `/api/students/${existingId}` },
  ];
  for (const [label, body] of bodies)
    for (const t of targets())
      yield { kind: 'fetch', label: `${t.method} ${label}`, ...t, headers: json, body: JSON.stringify(body) };
  const rawBodies: [string, string | Buffer][] = [
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['deep nesting', `${'['.repeat(5_000)}${']'.repeat(5_000)}`],
    ['huge number', '{"firstName":1e999,"lastName":"B","email":"a@b.co"}'],
    ['trailing garbage', `${JSON.stringify(valid)}xyz`],
    ['two documents', `${JSON.stringify(valid)}${JSON.stringify(valid)}`],
    ['NaN literal', '{"firstName":NaN}'],
    ['comment', '/* c */ {}'],
    ['only whitespace', '   \n\t '],
    ['unterminated string', '{"firstName":"abc'],
    ['lone surrogate escape in key', '{"\\ud800":1}'],
  ];
  for (const [label, body] of rawBodies)
    for (const t of targets())
      yield { kind: 'fetch', label: `${t.method} ${label}`, ...t, headers: json, body };
}

function* encodingCases(): Generator<Case> {
  const body = JSON.stringify(valid);
  const headerSets: [string, Record<string, string>, string | Buffer][] = [
    ['gzip header, plain body', { ...json, 'content-encoding': 'gzip' }, body],
    ['deflate header, plain body', { ...json, 'content-encoding': 'deflate' }, body],
    ['brotli', { ...json, 'content-encoding': 'br' }, body],
    ['unknown encoding', { ...json, 'content-encoding': 'x-unknown' }, body],
    ['gzip of garbage JSON', { ...json, 'content-encoding': 'gzip' }, gzipSync('{nope')],
    ['charset utf-16', { 'content-type': 'application/json; charset=utf-16' }, body],
    ['charset latin1', { 'content-type': 'application/json; charset=latin1' }, body],
    ['charset nonsense', { 'content-type': 'application/json; charset=klingon' }, body],
    ['text/json', { 'content-type': 'text/json' }, body],
    ['application/jsonx', { 'content-type': 'application/jsonx' }, body],
    ['APPLICATION/XML', { 'content-type': 'APPLICATION/XML' }, '<a/>'],
    ['form', { 'content-type': 'application/x-www-form-urlencoded' }, 'firstName=A'],
    ['empty content type', { 'content-type': '' }, body],
    ['octet-stream', { 'content-type': 'application/octet-stream' }, Buffer.from(body)],
  ];
  for (const [label, headers, payload] of headerSets) {
    yield {
      kind: 'fetch',
      label: `POST ${label}`,
      method: 'POST',
      path: '/api/students',
      headers,
      body: payload,
    };
    yield {
      kind: 'fetch',
      label: `PUT ${label}`,
      method: 'PUT',
      path: `/api/students/${existingId}`,
      headers,
      body: payload,
    };
  }
  yield {
    kind: 'fetch',
    label: 'idempotency key too long',
    method: 'POST',
    path: '/api/students',
    headers: { ...json, 'idempotency-key': 'k'.repeat(201) },
    body,
  };
  yield {
    kind: 'fetch',
    label: 'body of 40 KB',
    method: 'POST',
    path: '/api/students',
    headers: json,
    body: JSON.stringify({ ...valid, pad: 'p'.repeat(40_000) }),
  };
}

function* idAndQueryCases(): Generator<Case> {
  const uuid = randomUUID();
  const ids = [
    uuid.replaceAll('-', ''),
    `{${uuid}}`,
    `${uuid.slice(0, 35)}`,
    `${uuid}0`,
    `%E2%80%8B${uuid}`,
    `${uuid}%00`,
    '%2e%2e',
    `${uuid.slice(0, 8)}%2D${uuid.slice(9)}`,
    '0'.repeat(36),
    '-'.repeat(36),
    'x'.repeat(2_000),
    '%ZZ',
    '%',
    '\u00e9',
  ];
  for (const id of ids)
    for (const method of ['GET', 'DELETE'])
      yield { kind: 'fetch', label: `${method} id ${id.slice(0, 20)}`, method, path: `/api/students/${id}` };
  const queries = [
    `cursor=${'0'.repeat(36)}`,
    `cursor=${'-'.repeat(36)}`,
    `cursor=${'a'.repeat(8)}-${'b'.repeat(27)}`,
    `cursor=${uuid}x`,
    'cursor=',
    `cursor=${uuid}&cursor=${uuid}`,
    'limit=',
    'limit=1e3',
    'limit=10abc',
    'limit=NaN',
    'limit=Infinity',
    'limit=-0.5',
    `limit=${'9'.repeat(400)}`,
    'limit=1&limit=2',
    `cursor=${encodeURIComponent("' or 1=1 --")}`,
    'cursor=%00',
  ];
  for (const q of queries)
    yield { kind: 'fetch', label: `list ?${q.slice(0, 30)}`, method: 'GET', path: `/api/students?${q}` };
  for (const method of ['PROPFIND', 'PATCH', 'FOO', 'LOCK'])
    for (const path of ['/api/students', `/api/students/${existingId}`, '/health'])
      yield { kind: 'fetch', label: `${method} ${path}`, method, path };
}

const http = (line: string, headers: string[] = ['Host: x']) =>
  `${line}\r\n${[...headers, 'Connection: close'].join('\r\n')}\r\n\r\n`;

function* rawCases(): Generator<Case> {
  const raw = (label: string, request: string | Buffer): Case => ({ kind: 'raw', label, request });
  yield raw('absolute-form, unclosed IPv6', http('GET http://[::1/api/students HTTP/1.1'));
  yield raw('absolute-form, port out of range', http('GET http://x:99999/api/students HTTP/1.1'));
  yield raw('absolute-form, ftp', http('GET ftp://x/api/students HTTP/1.1'));
  yield raw('absolute-form, bad id', http('GET http://x/api/students/nope HTTP/1.1'));
  yield raw('absolute-form, unknown path', http('GET http://x/nowhere HTTP/1.1'));
  yield raw('asterisk-form GET', http('GET * HTTP/1.1'));
  yield raw('asterisk-form OPTIONS', http('OPTIONS * HTTP/1.1'));
  yield raw('double slash target', http('GET //evil.example/x HTTP/1.1'));
  yield raw('authority-form CONNECT', http('CONNECT example.com:443 HTTP/1.1'));
  yield raw('TRACE', http('TRACE /api/students HTTP/1.1'));
  yield raw('lower-case method', http('get /api/students HTTP/1.1'));
  yield raw('unknown version', http('GET /api/students HTTP/9.9'));
  yield raw('extra token in request line', http('GET /api/students HTTP/1.1 extra'));
  yield raw('garbage line', 'HELLO THERE\r\n\r\n');
  yield raw('NUL in target', http('GET /api/\u0000students HTTP/1.1'));
  yield raw('space in target', http('GET /api/stu dents HTTP/1.1'));
  yield raw(
    'binary line',
    Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff]), Buffer.from('\r\n\r\n')]),
  );
  yield raw('header without colon', http('GET /api/students HTTP/1.1', ['Host: x', 'NoColonHere']));
  yield raw('space before colon', http('GET /api/students HTTP/1.1', ['Host: x', 'X-Bad : 1']));
  yield raw('NUL in header value', http('GET /api/students HTTP/1.1', ['Host: x', 'X-Bad: a\u0000b']));
  yield raw('obs-fold header', http('GET /api/students HTTP/1.1', ['Host: x', 'X-Fold: a', ' b']));
  yield raw(
    'header of 20 KB',
    http('GET /api/students HTTP/1.1', ['Host: x', `X-Big: ${'a'.repeat(20_000)}`]),
  );
  yield raw('target of 20 KB', http(`GET /api/students?q=${'q'.repeat(20_000)} HTTP/1.1`));
  yield raw(
    'two different Content-Length',
    http('POST /api/students HTTP/1.1', [
      'Host: x',
      'Content-Type: application/json',
      'Content-Length: 2',
      'Content-Length: 3',
    ]),
  );
  yield raw(
    'Content-Length and chunked',
    `POST /api/students HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
  );
  yield raw(
    'bad chunk size',
    `POST /api/students HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
  );
  yield raw(
    'negative Content-Length',
    http('POST /api/students HTTP/1.1', ['Host: x', 'Content-Type: application/json', 'Content-Length: -1']),
  );
  yield raw(
    'unknown transfer-encoding',
    `POST /api/students HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
  );
  yield raw(
    'absolute-form malformed with correlation id',
    http('GET http://[::1/api/students HTTP/1.1', ['Host: x', 'X-Correlation-Id: abc']),
  );
}

/** fetch takes bytes as a Uint8Array over an ArrayBuffer, not a Buffer. */
const asBody = (body: string | Buffer | undefined) =>
  body === undefined || typeof body === 'string' ? body : new Uint8Array(body);

async function answer(c: Case): Promise<Answer> {
  if (c.kind === 'raw') {
    const res = await rawRequest(port, c.request, 15_000);
    return { status: res.status, contentType: res.headers['content-type'] ?? '', body: res.body };
  }
  const res = await fetch(`${api.url}${c.path}`, {
    method: c.method,
    headers: c.headers,
    body: asBody(c.body),
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

describe('malformed requests, edge families', () => {
  it('answers every one with a 4xx problem document with a code and stays healthy', async () => {
    const cases = [...bodyCases(), ...encodingCases(), ...idAndQueryCases(), ...rawCases()];
    expect(cases.length).toBeGreaterThanOrEqual(150);
    const answers: Answer[] = [];
    const failures: string[] = [];
    for (const c of cases) {
      const a = await answer(c);
      answers.push(a);
      const violation = problemViolation(a);
      if (violation) failures.push(`${c.label}: ${violation} ${a.body.slice(0, 120)}`);
    }
    const counts = tally(answers);
    console.info(`api edge suite: ${JSON.stringify(counts)}`);
    expect(failures).toEqual([]);
    expect(counts.serverErrors).toBe(0);
    expect(counts.nonProblem4xx).toBe(0);
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${api.url}/api/students/${existingId}`)).status).toBe(200);
  });
});
