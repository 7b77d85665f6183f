import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricNames } from '../../contracts/service-metrics.ts';
import { amqpUrlViaPort, testAmqpTarget } from '../shared/testing/amqp-test-broker.ts';
import { createTcpGate, type TcpGate } from '../shared/testing/tcp-gate.ts';
import { eventually, jsonHeaders, startTestApi, studentBody, type TestApi } from './testing/api-harness.ts';

const halfOpenMs = 1000;
let gate: TcpGate;
let api: TestApi;

beforeAll(async () => {
  gate = await createTcpGate({ target: testAmqpTarget() });
  api = await startTestApi({
    AMQP_URL: amqpUrlViaPort(gate.port),
    PUBLISH_MODE: 'direct',
    AMQP_TIMEOUT_MS: '1000',
    AMQP_MAX_RETRIES: '0',
    AMQP_BREAKER_FAILURES: '3',
    AMQP_BREAKER_HALF_OPEN_MS: String(halfOpenMs),
  });
});
afterAll(async () => {
  await api?.close();
  await gate?.close();
});

const post = (n: string) =>
  fetch(`${api.url}/api/students`, {
    method: 'POST',
    headers: jsonHeaders,
    body: JSON.stringify(studentBody(n)),
  });
const breakerState = () => api.counter(metricNames.breakerState, { breaker: 'amqp' });

describe('PUBLISH_MODE=direct after an outage', () => {
  it('closes the breaker by itself once the broker is back, then writes succeed', async () => {
    gate.cut({ mode: 'refuse' });
    for (let i = 0; i < 10 && (await breakerState()) !== 1; i++) await post(`cut-${i}`);
    expect(await breakerState()).toBe(1);
    expect((await post('while-open')).status).toBe(503);

    gate.restore();
    // Writes answer 503 while the breaker is not closed, so none is sent: the background probe alone
    // makes the trial call. It may fail once more while the channel pool reconnects (then the next
    // probe follows a half-open delay later), so wait for the close instead of a fixed time.
    expect(await eventually(async () => (await breakerState()) === 0, 10 * halfOpenMs)).toBe(true);
    expect((await post('after')).status).toBe(201);
    expect(
      await api.counter(metricNames.breakerTransitions, { breaker: 'amqp', from: 'half-open', to: 'closed' }),
    ).toBe(1);
  });
});
