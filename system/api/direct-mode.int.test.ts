import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricNames } from '../../contracts/service-metrics.ts';
import { amqpUrlViaPort, testAmqpTarget } from '../shared/testing/amqp-test-broker.ts';
import { createTcpGate, type TcpGate } from '../shared/testing/tcp-gate.ts';
import { jsonHeaders, startTestApi, studentBody, type TestApi } from './testing/api-harness.ts';

let gate: TcpGate;
let api: TestApi;
const logLines: string[] = [];

beforeAll(async () => {
  gate = await createTcpGate({ target: testAmqpTarget() });
  api = await startTestApi(
    {
      AMQP_URL: amqpUrlViaPort(gate.port),
      PUBLISH_MODE: 'direct',
      AMQP_TIMEOUT_MS: '1000',
      AMQP_MAX_RETRIES: '0',
      AMQP_BREAKER_FAILURES: '3',
      AMQP_BREAKER_HALF_OPEN_MS: '60000',
    },
    { logLines },
  );
});
afterAll(async () => {
  agent.destroy();
  await api?.close();
  await gate?.close();
});

/** A keep-alive `node:http` client: lighter than fetch, so the timing is the server's, not the client's. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function timedPost(
  body: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${api.url}/api/students`,
      { method: 'POST', agent, headers: jsonHeaders },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject).end(body);
  });
}

const post = (n: number | string) =>
  fetch(`${api.url}/api/students`, {
    method: 'POST',
    headers: { ...jsonHeaders, 'x-correlation-id': `corr-${n}` },
    body: JSON.stringify(studentBody(n)),
  });

describe('PUBLISH_MODE=direct', () => {
  it('publishes inside the request while the broker is up', async () => {
    const res = await post('direct-ok');
    expect(res.status).toBe(201);
    expect(await api.counter(metricNames.publishConfirms, { producer: 'api' })).toBe(1);
  });

  it('answers 503 with Retry-After within 50 ms (p99 of 200) once the breaker is open', async () => {
    gate.cut({ mode: 'refuse' });
    const breakerOpen = async () => (await api.counter(metricNames.breakerState, { breaker: 'amqp' })) === 1;
    const failed: number[] = [];
    for (let i = 0; i < 10 && !(await breakerOpen()); i++) failed.push((await post(`open-${i}`)).status);
    expect(failed.every((s) => s === 503)).toBe(true);
    expect(await breakerOpen()).toBe(true);
    const logged = logLines.map((l) => JSON.parse(l) as { msg: string; correlationId?: string });
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'direct publish failed after commit', correlationId: 'corr-open-0' }),
    );
    const createsBefore = await api.counter(metricNames.dbQueries, { operation: 'create' });
    // 20 unmeasured requests first: the first passes through a cold path are JIT-compiled (20–50 ms
    // here); the criterion is the steady-state answer while the breaker stays open.
    for (let i = 0; i < 20; i++)
      expect((await timedPost(JSON.stringify(studentBody(`warm-${i}`)))).status).toBe(503);
    const latenciesMs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const res = await timedPost(JSON.stringify(studentBody(`fast-${i}`)));
      latenciesMs.push(res.ms);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('60');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((JSON.parse(res.text) as { code: string }).code).toBe('circuit_open');
    }
    latenciesMs.sort((a, b) => a - b);
    const p99 = latenciesMs[Math.ceil(0.99 * latenciesMs.length) - 1]!;
    expect(p99).toBeLessThan(50);
    expect(await api.counter(metricNames.dbQueries, { operation: 'create' })).toBe(createsBefore);
    gate.restore();
  });
});
