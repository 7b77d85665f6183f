import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../testing/api-harness.ts';

let api: TestApi;
let existingId: string;

beforeAll(async () => {
  api = await startTestApi();
  const res = await fetch(`${api.url}/api/students`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ firstName: 'Mal', lastName: 'Formed', email: 'mal@example.com' }),
  });
  existingId = ((await res.json()) as { id: string }).id;
});
afterAll(async () => {
  await api?.close();
});

interface Case {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

const valid = { firstName: 'A', lastName: 'B', email: 'a@b.co' };
const huge = 'x'.repeat(20_000);

/** Deterministic pseudo-random generator, so a failure reproduces. */
function* generateCases(): Generator<Case> {
  const badBodies = [
    '{',
    '{"firstName":',
    'null',
    '[]',
    '"text"',
    '42',
    'true',
    '{}',
    '{"firstName":1,"lastName":2,"email":3}',
    JSON.stringify({ ...valid, firstName: '' }),
    JSON.stringify({ ...valid, firstName: '   ' }),
    JSON.stringify({ ...valid, lastName: null }),
    JSON.stringify({ ...valid, email: 'not-an-email' }),
    JSON.stringify({ ...valid, email: ['a@b.co'] }),
    JSON.stringify({ ...valid, firstName: 'x'.repeat(101) }),
    JSON.stringify({ ...valid, email: `${'x'.repeat(250)}@b.co` }),
    JSON.stringify({ firstName: 'A' }),
    JSON.stringify({ ...valid, firstName: { nested: true } }),
    JSON.stringify({ ...valid, firstName: huge }),
    '\u0000\u0001',
    '{"a":1}garbage',
    '{"firstName":"A","lastName":"B","email":"a@b.co",}',
    "{'firstName':'A'}",
    JSON.stringify({ ...valid, email: 'a@' }),
    JSON.stringify({ ...valid, email: '@b.co' }),
    `{"firstName":"${huge}"`,
  ];
  const targets = [
    { method: 'POST', path: '/api/students' },
    { method: 'POST', path: '/api/student' },
    { method: 'PUT', path: `/api/students/${randomUUID()}` },
    { method: 'PUT', path: `/api/student/${randomUUID()}` },
  ];
  for (const target of targets)
    for (const body of badBodies) yield { ...target, body, contentType: 'application/json' };
  const contentTypes = [
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/xml',
    'multipart/form-data; boundary=x',
    'image/png',
  ];
  for (const target of targets)
    for (const contentType of contentTypes) yield { ...target, body: JSON.stringify(valid), contentType };
  for (const target of targets)
    yield {
      ...target,
      body: JSON.stringify({ ...valid, pad: 'y'.repeat(40_000) }),
      contentType: 'application/json',
    };
  const badIds = [
    '1',
    'abc',
    'null',
    '%00',
    `${randomUUID()}x`,
    'g'.repeat(36),
    '..%2F..%2Fetc',
    "1'%20or%201=1",
    '-1',
    'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
  ];
  for (const id of badIds) {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      for (const base of ['/api/students/', '/api/student/']) {
        yield {
          method,
          path: `${base}${id}`,
          body: method === 'PUT' ? JSON.stringify(valid) : undefined,
          contentType: 'application/json',
        };
      }
    }
  }
  for (const method of ['PATCH', 'OPTIONS']) {
    yield { method, path: '/api/students' };
    yield { method, path: `/api/students/${existingId}` };
  }
  yield { method: 'DELETE', path: '/api/students' };
  yield {
    method: 'PUT',
    path: '/api/students',
    body: JSON.stringify(valid),
    contentType: 'application/json',
  };
  yield {
    method: 'POST',
    path: `/api/students/${existingId}`,
    body: JSON.stringify(valid),
    contentType: 'application/json',
  };
  for (const q of [
    'limit=0',
    'limit=-5',
    'limit=abc',
    'limit=1000',
    'cursor=nope',
    'limit=1.5',
    'cursor=%27',
  ]) {
    yield { method: 'GET', path: `/api/students?${q}` };
  }
  for (const path of ['/', '/api', '/api/students/x/y', '/api/teachers', '/metrics/x', '/api/studentsX'])
    yield { method: 'GET', path };
  yield { method: 'GET', path: `/api/students/${randomUUID()}` };
  yield { method: 'DELETE', path: `/api/students/${randomUUID()}` };
}

describe('malformed requests', () => {
  it('answers every one of at least 200 generated malformed requests with a 4xx problem+json carrying a code', async () => {
    const cases = [...generateCases()];
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const c of cases) {
      const res = await fetch(`${api.url}${c.path}`, {
        method: c.method,
        headers: c.contentType ? { 'content-type': c.contentType } : {},
        body: c.body,
      });
      const type = res.headers.get('content-type') ?? '';
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      let code: unknown;
      try {
        code = (JSON.parse(text) as { code?: unknown }).code;
      } catch {
        code = undefined;
      }
      const ok =
        res.status >= 400 &&
        res.status < 500 &&
        type.startsWith('application/problem+json') &&
        typeof code === 'string';
      if (!ok)
        failures.push(
          `${c.method} ${c.path.slice(0, 60)} ${c.contentType ?? ''} → ${res.status} ${type} ${text.slice(0, 80)}`,
        );
    }
    expect(failures).toEqual([]);
    for (const status of [400, 404, 405, 413, 415]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
  });
});
