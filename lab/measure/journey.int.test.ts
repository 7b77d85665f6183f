import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeysRoute } from '../../contracts/journey.ts';
import type { Envelope } from '../../contracts/envelope.ts';
import type { Transport } from '../../contracts/transports.ts';
import {
  startHarness,
  type NotificationsHarness,
} from '../../system/notifications/testing/notifications-harness.ts';
import { openSse, type SseTestClient } from '../../system/notifications/testing/sse-test-client.ts';
import {
  startSystemProcess,
  type SystemProcess,
} from '../../system/notifications/testing/system-processes.ts';
import { nowUs } from '../metrics/clock.ts';
import { createJourneyCollector } from '../probes/journeys.ts';
import { stagesOf } from './journey-stages.ts';

// The real chain (API → outbox → broker → worker → worker outbox → broker → notifications → SSE and
// Socket.IO), each service with its journey log on. The notifications instance binds the real
// exchange with a queue of its own and keeps only this test's correlation ids.
const journeyEnv = { JOURNEY_LOG_SIZE: '10000' };
let api: SystemProcess;
let worker: SystemProcess;
let h: NotificationsHarness;

beforeAll(async () => {
  [api, worker] = await Promise.all([
    startSystemProcess('api', journeyEnv),
    startSystemProcess('worker', journeyEnv),
  ]);
  h = await startHarness({
    ...journeyEnv,
    NOTIFICATIONS_EXCHANGE: 'notifications',
    API_BASE_URL: api.baseUrl,
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await Promise.all([api?.stop(), worker?.stop()]);
});

interface Receipt {
  transport: Transport;
  traceparent?: string | undefined;
  type: string;
  correlationId: string;
  receivedAtUs: number;
}

function recordSse(sse: SseTestClient, receipts: Receipt[]): void {
  for (const type of ['student.created', 'student.cached']) {
    sse.source.addEventListener(type, (event: MessageEvent<string>) => {
      const receivedAtUs = nowUs();
      const envelope = JSON.parse(event.data) as Envelope;
      receipts.push({
        transport: 'sse',
        type,
        correlationId: envelope.correlationId,
        receivedAtUs,
        traceparent: envelope.traceparent,
      });
    });
  }
}

describe('a notification journey through the real services', () => {
  it('cuts each of a handful of notifications into stages that add up to its end-to-end time', async () => {
    const receipts: Receipt[] = [];
    const sse = openSse(`${h.baseUrl}/api/notifications/stream`);
    recordSse(sse, receipts);
    const socket = h.socketClient();
    for (const type of ['student.created', 'student.cached'] as const) {
      socket.on(type, (envelope: Envelope) =>
        receipts.push({
          transport: 'socketio',
          type,
          correlationId: envelope.correlationId,
          receivedAtUs: nowUs(),
        }),
      );
    }
    await sse.connected;
    await new Promise((resolve) => socket.once('connected', resolve));

    const run = randomUUID();
    // Tracing is off in these services: the caller's trace context is passed on as it came.
    const traceId = randomUUID().replaceAll('-', '');
    const intendedSendUs = new Map<string, number>();
    for (let i = 0; i < 5; i++) {
      const correlationId = `journey-${run}-${i}`;
      intendedSendUs.set(correlationId, nowUs());
      const response = await fetch(`${api.baseUrl}/api/students`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-correlation-id': correlationId,
          traceparent: `00-${traceId}-${'0'.repeat(15)}${i + 1}-01`,
        },
        body: JSON.stringify({
          firstName: 'Ada',
          lastName: 'Lovelace',
          email: `ada.${correlationId}@example.test`,
        }),
      });
      expect(response.status).toBe(201);
    }
    const ours = () => receipts.filter((r) => intendedSendUs.has(r.correlationId));
    // 5 writes × 2 notifications × 2 transports
    await h.waitFor(() => ours().length >= 20, 30_000, 'every notification on both transports');
    sse.close();
    socket.disconnect();
    for (const receipt of ours().filter((r) => r.transport === 'sse')) {
      expect(receipt.traceparent?.split('-')[1]).toBe(traceId);
    }

    const collected = await createJourneyCollector({
      urls: [api.baseUrl, worker.baseUrl, h.baseUrl].map((base) => `${base}${journeysRoute}`),
    }).collect();
    expect(collected.off).toEqual([]);
    for (const receipt of ours()) {
      const sent = intendedSendUs.get(receipt.correlationId) as number;
      const times = collected.lookup(receipt);
      expect(times, `${receipt.type} ${receipt.correlationId}`).toBeDefined();
      if (!times) continue;
      const window = times.fanout[receipt.transport] ?? [NaN, NaN];
      // The marks come in the order the message passed the services.
      expect(times.committedUs).toBeGreaterThan(sent);
      expect(times.workerReceivedUs).toBeGreaterThan(times.committedUs);
      expect(times.notificationsReceivedUs).toBeGreaterThan(times.workerReceivedUs);
      expect(window[0]).toBeGreaterThanOrEqual(times.notificationsReceivedUs);
      expect(window[1]).toBeGreaterThanOrEqual(window[0]);
      expect(receipt.receivedAtUs).toBeGreaterThanOrEqual(window[0]);

      const stages = stagesOf(sent, times, receipt.transport, 0, receipt.receivedAtUs) ?? [];
      expect(stages).toHaveLength(6);
      for (const stage of stages) expect(stage).toBeGreaterThanOrEqual(0);
      expect(stages.reduce((s, x) => s + x, 0)).toBe(receipt.receivedAtUs - sent);
    }
  }, 90_000);
});
