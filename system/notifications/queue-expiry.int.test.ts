import { connect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpUrlViaPort, testAmqpTarget, testAmqpUrl } from '../shared/testing/amqp-test-broker.ts';
import { createTcpGate, type TcpGate } from '../shared/testing/tcp-gate.ts';
import type { GapEvent } from './sse-frames.ts';
import { makeEnvelope, startHarness, type NotificationsHarness } from './testing/notifications-harness.ts';
import { openSse } from './testing/sse-test-client.ts';
import { publishOptionsFor } from '../shared/amqp-publish.ts';

let gate: TcpGate;
let h: NotificationsHarness;
let probe: ChannelModel;
beforeAll(async () => {
  gate = await createTcpGate({ target: testAmqpTarget() });
  // The consumer reaches the broker through the gate; the harness's own admin connection does not.
  h = await startHarness({ AMQP_URL: amqpUrlViaPort(gate.port), NOTIFICATIONS_QUEUE_EXPIRES_MS: '1500' });
  probe = await connect(testAmqpUrl);
  probe.on('error', () => undefined);
});
afterAll(async () => {
  await h?.close();
  await gate?.close();
  await probe?.close().catch(() => undefined);
});

/**
 * True once a notification routed to the instance queue comes back unroutable: the queue is gone.
 * Publishing does not renew a queue's lease (a passive declare would), and while the queue exists
 * the probe is simply one more notification.
 */
async function routedNowhere(): Promise<boolean> {
  const channel = await probe.createConfirmChannel();
  let returned = false;
  channel.on('return', () => (returned = true));
  const envelope = makeEnvelope();
  channel.publish(h.config.NOTIFICATIONS_EXCHANGE, envelope.type, Buffer.from(JSON.stringify(envelope)), {
    ...publishOptionsFor(envelope),
    mandatory: true,
  });
  await channel.waitForConfirms();
  await channel.close();
  return returned;
}

describe('instance queue expiry', () => {
  it('announces a gap to SSE and Socket.IO clients when the queue expired while the broker was away', async () => {
    const sse = openSse(`${h.baseUrl}/api/notifications/stream`);
    await sse.connected;
    const socket = h.socketClient();
    await new Promise((resolve) => socket.once('connected', resolve));
    const socketGaps: GapEvent[] = [];
    socket.on('gap', (event) => socketGaps.push(event));

    gate.cut({ mode: 'refuse' });
    await h.waitFor(() => !h.service.testing.consumer.connected(), 10_000, 'consumer disconnected');
    await h.waitFor(routedNowhere, 15_000, 'queue expired');
    // Routed to no queue: this notification is gone, and the clients must be told.
    h.publish();
    gate.restore();
    await h.waitFor(() => h.service.testing.consumer.connected(), 20_000, 'consumer reconnected');

    await h.waitFor(() => sse.events.some((e) => e.type === 'gap'), 10_000, 'SSE gap event');
    await h.waitFor(() => socketGaps.length > 0, 10_000, 'Socket.IO gap event');
    const gap = sse.events.find((e) => e.type === 'gap');
    expect(JSON.parse(gap?.data ?? '{}')).toEqual({ reason: 'queue-expired' });
    expect(socketGaps[0]).toEqual({ reason: 'queue-expired' });
    sse.close();
    socket.disconnect();
  });
});
