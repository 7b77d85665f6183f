import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricNames } from '../../contracts/service-metrics.ts';
import { eventually, jsonHeaders, startTestApi, studentBody, type TestApi } from './testing/api-harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const requestStatements = () => api.counter(metricNames.sqlStatements, { cause: 'request' });

async function create(n: number): Promise<void> {
  const res = await fetch(`${api.url}/api/students`, {
    method: 'POST',
    headers: jsonHeaders,
    body: JSON.stringify(studentBody(`cost-${n}-${Date.now()}`)),
  });
  expect(res.status).toBe(201);
}

describe('what a write costs the API, counted where it leaves the process', () => {
  it('every create sends the same statements, and scrapes and health checks are not counted as requests', async () => {
    const deltas: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = await requestStatements();
      await create(i);
      deltas.push((await requestStatements()) - before);
    }
    expect(deltas[0]).toBeGreaterThan(0);
    expect(new Set(deltas).size).toBe(1);

    const before = await requestStatements();
    const otherBefore = await api.counter(metricNames.sqlStatements, { cause: 'other' });
    expect((await fetch(`${api.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    expect(await requestStatements()).toBe(before);
    expect(await api.counter(metricNames.sqlStatements, { cause: 'other' })).toBeGreaterThan(otherBefore);
  });

  it('every create is published once: publishes match confirms when nothing fails', async () => {
    await create(100);
    const counts = async () => ({
      published: await api.counter(metricNames.amqpPublishes, { producer: 'api' }),
      confirmed: await api.counter(metricNames.publishConfirms, { producer: 'api' }),
    });
    const settled = await eventually(async () => {
      const { published, confirmed } = await counts();
      return published >= 4 && published === confirmed;
    }, 5_000);
    expect(settled, JSON.stringify(await counts())).toBe(true);
  });
});
