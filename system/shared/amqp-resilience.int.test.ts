import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmqpChannelPool } from './amqp-channel-pool.ts';
import { createResilientPublisher } from './amqp-resilient-publisher.ts';
import { BrokenCircuitError, createResiliencePolicy, type BreakerTransition } from './resilience-policy.ts';
import {
  amqpUrlViaPort,
  createAmqpTestAdmin,
  testAmqpTarget,
  type AmqpTestAdmin,
} from './testing/amqp-test-broker.ts';
import { createTcpGate, type TcpGateCutMode } from './testing/tcp-gate.ts';

const halfOpenAfterMs = 400;
let admin: AmqpTestAdmin;

beforeAll(async () => {
  admin = await createAmqpTestAdmin();
});
afterAll(async () => {
  await admin.close();
});

/** Messages on `queue` whose messageId is `id` (drains the queue). */
async function idsOnQueue(queue: string): Promise<string[]> {
  const ids: string[] = [];
  for (
    let m = await admin.channel.get(queue, { noAck: true });
    m;
    m = await admin.channel.get(queue, { noAck: true })
  ) {
    ids.push(String(m.properties.messageId));
  }
  return ids;
}

describe.each<TcpGateCutMode>(['refuse', 'blackhole'])(
  'publishing through the policy when the broker is cut (%s)',
  (mode) => {
    it(`opens the breaker, fails fast while open, and closes again once the broker is back (${mode})`, async () => {
      const exchange = admin.exchangeName(`resilience-${mode}`);
      const queue = admin.queueName(`resilience-${mode}`);
      await admin.channel.assertExchange(exchange, 'fanout', { durable: false });
      await admin.channel.assertQueue(queue, { durable: false });
      await admin.channel.bindQueue(queue, exchange, '');

      const gate = await createTcpGate({ target: testAmqpTarget() });
      const pool = createAmqpChannelPool({
        url: amqpUrlViaPort(gate.port),
        name: `resilience-${mode}`,
        connectTimeoutMs: 250,
        acquireTimeoutMs: 250,
      });
      const policy = createResiliencePolicy({
        name: 'amqp',
        timeoutMs: 300,
        maxRetries: 1,
        initialDelayMs: 10,
        maxDelayMs: 20,
        consecutiveFailures: 3,
        halfOpenAfterMs,
      });
      const transitions: Pick<BreakerTransition, 'from' | 'to'>[] = [];
      policy.onTransition(({ from, to }) => transitions.push({ from, to }));
      const publisher = createResilientPublisher({ pool, policy });
      const publish = (id: string) =>
        publisher.publish(exchange, 'k', Buffer.from(id), { messageId: id, persistent: true });

      try {
        await publish('before-cut');
        expect(await idsOnQueue(queue)).toEqual(['before-cut']);

        gate.cut({ mode });
        const failures: unknown[] = [];
        for (let i = 0; i < 5 && policy.state() !== 'open'; i++) {
          failures.push(await publish(`during-cut-${i}`).catch((e: unknown) => e));
        }
        expect(policy.state()).toBe('open');
        expect(failures.length).toBeGreaterThan(0);
        // The first failures are the broker's; a retry that lands after the breaker opened gets BrokenCircuitError.
        expect(failures[0]).toBeInstanceOf(Error);
        expect(failures[0]).not.toBeInstanceOf(BrokenCircuitError);

        const started = performance.now();
        const fastFailure = await publish('while-open').catch((e: unknown) => e);
        expect(performance.now() - started).toBeLessThan(50);
        expect(fastFailure).toBeInstanceOf(BrokenCircuitError);

        gate.restore();
        await new Promise((resolve) => setTimeout(resolve, halfOpenAfterMs + 50));
        await publish('after-restore');
        expect(policy.state()).toBe('closed');
        expect(await idsOnQueue(queue)).toContain('after-restore');
        expect(transitions).toEqual([
          { from: 'closed', to: 'open' },
          { from: 'open', to: 'half-open' },
          { from: 'half-open', to: 'closed' },
        ]);
      } finally {
        await pool.close();
        await gate.close();
      }
    });
  },
);
