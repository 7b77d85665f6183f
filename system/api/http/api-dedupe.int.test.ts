import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricNames } from '../../../contracts/service-metrics.ts';
import type { Student } from '../../../contracts/envelope.ts';
import { eventually, jsonHeaders, startTestApi, studentBody, type TestApi } from '../testing/api-harness.ts';
import { createEventTap, type EventTap } from '../testing/event-tap.ts';

let api: TestApi;
let tap: EventTap;

beforeAll(async () => {
  tap = await createEventTap();
  api = await startTestApi({ DEDUPE_MODE: 'cache' });
});
afterAll(async () => {
  await api?.close();
  await tap?.close();
});

async function createStudent(n: number | string): Promise<Student> {
  const res = await fetch(`${api.url}/api/students`, {
    method: 'POST',
    headers: jsonHeaders,
    body: JSON.stringify(studentBody(n)),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Student;
}

const dbReads = () => api.counter(metricNames.dbQueries, { operation: 'get' });
const dbUpdates = () => api.counter(metricNames.dbQueries, { operation: 'update' });

describe('request de-duplication (DEDUPE_MODE=cache)', () => {
  it('serves 1,000 concurrent identical GETs on a cold student with one database read', async () => {
    const student = await createStudent('burst');
    const before = await dbReads();
    const responses = await Promise.all(
      Array.from({ length: 1000 }, () => fetch(`${api.url}/api/students/${student.id}`)),
    );
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Student>));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(bodies.every((b) => b.id === student.id && b.firstName === student.firstName)).toBe(true);
    expect((await dbReads()) - before).toBe(1);
    const deduplicated = responses.filter((r) => r.headers.get('x-deduplicated') === 'true').length;
    expect(deduplicated).toBeGreaterThanOrEqual(999);
    expect(deduplicated).toBeLessThan(1000);
  });

  it('serves an identical GET inside the window from the response cache', async () => {
    const student = await createStudent('repeat');
    const first = await fetch(`${api.url}/api/students/${student.id}`);
    expect(first.headers.get('x-deduplicated')).toBeNull();
    const cachedBefore = await api.counter(metricNames.dedupeRequests, { outcome: 'cached' });
    const readsBefore = await dbReads();
    const second = await fetch(`${api.url}/api/student/${student.id.toUpperCase()}`, {
      headers: { 'x-correlation-id': 'repeat-1' },
    });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-deduplicated')).toBe('true');
    expect(second.headers.get('x-correlation-id')).toBe('repeat-1');
    expect(((await second.json()) as Student).id).toBe(student.id);
    expect(await api.counter(metricNames.dedupeRequests, { outcome: 'cached' })).toBe(cachedBefore + 1);
    expect(await dbReads()).toBe(readsBefore);
  });

  it('shows the new data on the GET after a PUT', async () => {
    const student = await createStudent('put-then-get');
    await fetch(`${api.url}/api/students/${student.id}`);
    expect((await fetch(`${api.url}/api/students/${student.id}`)).headers.get('x-deduplicated')).toBe('true');
    const put = await fetch(`${api.url}/api/students/${student.id}`, {
      method: 'PUT',
      headers: jsonHeaders,
      body: JSON.stringify({ ...studentBody('changed'), firstName: 'Changed' }),
    });
    expect(put.status).toBe(200);
    const after = await fetch(`${api.url}/api/students/${student.id}`);
    expect(after.headers.get('x-deduplicated')).toBeNull();
    expect(((await after.json()) as Student).firstName).toBe('Changed');
  });

  it('never shares a response between different Authorization headers', async () => {
    const student = await createStudent('auth');
    const callers = Array.from({ length: 50 }, (_, i) => `Bearer caller-${i}`);
    const responses = await Promise.all(
      callers.map((authorization) =>
        fetch(`${api.url}/api/students/${student.id}`, { headers: { authorization } }),
      ),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(responses.filter((r) => r.headers.get('x-deduplicated') !== null)).toHaveLength(0);
    const again = await fetch(`${api.url}/api/students/${student.id}`, {
      headers: { authorization: 'Bearer caller-7' },
    });
    expect(again.headers.get('x-deduplicated')).toBe('true');
    const stranger = await fetch(`${api.url}/api/students/${student.id}`, {
      headers: { authorization: 'Bearer other' },
    });
    expect(stranger.headers.get('x-deduplicated')).toBeNull();
  });

  it('turns two identical PUTs inside the window into one update and one event', async () => {
    const student = await createStudent('double-put');
    const before = await dbUpdates();
    const put = () =>
      fetch(`${api.url}/api/students/${student.id}`, {
        method: 'PUT',
        headers: jsonHeaders,
        body: JSON.stringify(studentBody('double-put-2')),
      });
    const [a, b] = await Promise.all([put(), put()]);
    const c = await put();
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    const flags = [a, b, c].map((r) => r.headers.get('x-deduplicated'));
    expect(flags.filter((f) => f === 'true')).toHaveLength(2);
    const bodies = (await Promise.all([a, b, c].map((r) => r.json()))) as Student[];
    expect(new Set(bodies.map((s) => s.lastModified)).size).toBe(1);
    expect((await dbUpdates()) - before).toBe(1);
    const updatedEvents = () => tap.about(student.id).filter((e) => e.type === 'student.updated');
    expect(await eventually(() => updatedEvents().length >= 1, 5_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(updatedEvents()).toHaveLength(1);
  });

  it('replays the first response for a POST with a reused Idempotency-Key', async () => {
    const post = (body: object) =>
      fetch(`${api.url}/api/students`, {
        method: 'POST',
        headers: { ...jsonHeaders, 'idempotency-key': `key-${student_suffix}` },
        body: JSON.stringify(body),
      });
    const student_suffix = Date.now();
    const [first, second] = await Promise.all([post(studentBody('idem')), post(studentBody('idem'))]);
    expect([first.status, second.status]).toEqual([201, 201]);
    const [x, y] = (await Promise.all([first.json(), second.json()])) as Student[];
    expect(x!.id).toBe(y!.id);
    expect([first, second].filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    const reused = await post(studentBody('other'));
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { code: string }).code).toBe('idempotency_key_reused');
  });

  it('carries the caller correlation id into the event envelope', async () => {
    const res = await fetch(`${api.url}/api/students`, {
      method: 'POST',
      headers: { ...jsonHeaders, 'x-correlation-id': 'corr-evt-1' },
      body: JSON.stringify(studentBody('corr')),
    });
    const student = (await res.json()) as Student;
    expect(res.headers.get('x-correlation-id')).toBe('corr-evt-1');
    expect(await eventually(() => tap.about(student.id).length === 1, 5_000)).toBe(true);
    expect(tap.about(student.id)[0]).toMatchObject({
      type: 'student.created',
      correlationId: 'corr-evt-1',
      producer: 'api',
    });
  });
});
