import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricNames } from '../../contracts/service-metrics.ts';
import type { Student } from '../../contracts/envelope.ts';
import { amqpUrlViaPort, testAmqpTarget } from '../shared/testing/amqp-test-broker.ts';
import { createTcpGate, type TcpGate } from '../shared/testing/tcp-gate.ts';
import {
  eventually,
  inBatches,
  jsonHeaders,
  startTestApi,
  studentBody,
  type TestApi,
} from './testing/api-harness.ts';
import { createEventTap, type EventTap } from './testing/event-tap.ts';

let gate: TcpGate;
let api: TestApi;
let tap: EventTap;

beforeAll(async () => {
  tap = await createEventTap();
  gate = await createTcpGate({ target: testAmqpTarget() });
  api = await startTestApi({
    AMQP_URL: amqpUrlViaPort(gate.port),
    PUBLISH_MODE: 'outbox',
    AMQP_TIMEOUT_MS: '3000',
    AMQP_MAX_RETRIES: '1',
    AMQP_BREAKER_FAILURES: '3',
    AMQP_BREAKER_HALF_OPEN_MS: '1000',
    OUTBOX_BACKOFF_MAX_MS: '1000',
  });
});
afterAll(async () => {
  await api?.close();
  await gate?.close();
  await tap?.close();
});

async function messageIdsInOutboxOrder(): Promise<string[]> {
  const client = new pg.Client({ connectionString: api.database.url });
  await client.connect();
  const { rows } = await client.query<{ message_id: string }>(
    "select message_id from outbox where producer = 'api' order by id",
  );
  await client.end();
  return rows.map((r) => r.message_id);
}

const transitions = (from: string, to: string) =>
  api.counter(metricNames.breakerTransitions, { breaker: 'amqp', from, to });

describe('outbox while RabbitMQ is unreachable', () => {
  it('accepts 1,000 POSTs, then publishes each event exactly once, in outbox order, after the broker returns', async () => {
    gate.cut({ mode: 'refuse' });
    const responses = await inBatches(1000, 50, async (i) => {
      const res = await fetch(`${api.url}/api/students`, {
        method: 'POST',
        headers: jsonHeaders,
        body: JSON.stringify(studentBody(`outage-${i}`)),
      });
      return { status: res.status, student: (await res.json()) as Student };
    });
    expect(responses.filter((r) => r.status !== 201)).toEqual([]);
    const ids = new Set(responses.map((r) => r.student.id));
    expect(ids.size).toBe(1000);

    expect(await eventually(async () => (await transitions('closed', 'open')) >= 1, 15_000)).toBe(true);
    expect((await api.service.testing.outboxLag()).pending).toBe(1000);
    const metricsText = await (await fetch(`${api.url}/metrics`)).text();
    expect(metricsText).toMatch(
      /circuit_breaker_transitions_total\{breaker="amqp",from="closed",to="open"[^}]*\} [1-9]/,
    );
    expect(metricsText).toMatch(/outbox_pending_messages\{producer="api"[^}]*\} 1000/);
    const health = (await (await fetch(`${api.url}/health`)).json()) as {
      entries: { name: string; status: string }[];
    };
    expect(health.entries.find((e) => e.name === 'breakers')?.status).not.toBe('healthy');

    gate.restore();
    const ours = () => tap.received.filter((e) => ids.has(e.payload.id));
    expect(await eventually(() => ours().length >= 1000, 30_000)).toBe(true);
    expect(await eventually(async () => (await transitions('half-open', 'closed')) >= 1, 10_000)).toBe(true);
    expect(await eventually(async () => (await api.service.testing.outboxLag()).pending === 0, 10_000)).toBe(
      true,
    );
    await new Promise((r) => setTimeout(r, 500));
    const events = ours();
    expect(events).toHaveLength(1000);
    expect(new Set(events.map((e) => e.payload.id)).size).toBe(1000);
    expect(events.every((e) => e.type === 'student.created')).toBe(true);
    const outboxOrder = await messageIdsInOutboxOrder();
    expect(events.map((e) => e.messageId)).toEqual(
      outboxOrder.filter((m) => events.some((e) => e.messageId === m)),
    );
    const after = await (await fetch(`${api.url}/metrics`)).text();
    expect(after).toMatch(
      /circuit_breaker_transitions_total\{breaker="amqp",from="half-open",to="closed"[^}]*\} [1-9]/,
    );
    expect(after).toMatch(/circuit_breaker_state\{breaker="amqp"[^}]*\} 0/);
  });
});
