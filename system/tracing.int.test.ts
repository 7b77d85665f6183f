import { randomBytes, randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../contracts/envelope.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './shared/testing/otlp-receiver.ts';
import { traceIdOf } from './shared/tracing.ts';
import { openSse } from './notifications/testing/sse-test-client.ts';
import { startSystemProcess, type SystemProcess } from './notifications/testing/system-processes.ts';

// All three services as their own processes, exporting spans to a receiver in this test process.
let receiver: OtlpReceiver;
let api: SystemProcess;
let worker: SystemProcess;
let notifications: SystemProcess;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
  [api, worker, notifications] = await Promise.all([
    startSystemProcess('api', env),
    startSystemProcess('worker', env),
    startSystemProcess('notifications', env),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop(), notifications?.stop()]);
  await receiver?.close();
});

describe('a write traced through the three services', () => {
  it('exports spans of the API, the worker and the notifications service under the caller’s trace id', async () => {
    const sse = openSse(`${notifications.baseUrl}/api/notifications/stream`);
    await sse.connected;
    const traceId = randomBytes(16).toString('hex');
    const correlationId = `trace-${randomUUID()}`;
    const response = await fetch(`${api.baseUrl}/api/students`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-correlation-id': correlationId,
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({
        firstName: 'Alan',
        lastName: 'Turing',
        email: `alan.${correlationId}@example.test`,
      }),
    });
    expect(response.status).toBe(201);

    const ours = (s: ReceivedSpan) => s.traceId === traceId;
    const spans = await receiver.waitFor(
      (all) =>
        ['api', 'worker', 'notifications'].every((service) =>
          all.some(
            (s) =>
              ours(s) &&
              s.service === service &&
              s.name.startsWith(service === 'notifications' ? 'fanout' : ''),
          ),
        ),
      30_000,
    );
    const trace = spans.filter(ours);
    const byName = (service: string, prefix: string) =>
      trace.filter((s) => s.service === service && s.name.startsWith(prefix));

    const [server] = byName('api', 'POST');
    expect(server?.kind).toBe(SpanKind.SERVER);
    const [commit] = byName('api', 'student.created commit');
    // Under the request's server span (the http instrumentation's), through express's handler span.
    const ancestors = (span: ReceivedSpan | undefined): string[] => {
      const parent = trace.find((s) => s.spanId === span?.parentSpanId);
      return parent ? [parent.spanId, ...ancestors(parent)] : [];
    };
    expect(ancestors(commit)).toContain(server?.spanId);
    // The maintained instrumentations: the write's SQL inside the commit, Redis commands in the worker.
    expect(byName('api', 'pg.query:INSERT').map((s) => s.parentSpanId)).toContain(commit?.spanId);
    expect(trace.some((s) => s.service === 'worker' && s.name.startsWith('pg.query'))).toBe(true);
    expect(
      trace.some((s) => s.attributes['db.system'] === 'redis' || s.attributes['db.system.name'] === 'redis'),
    ).toBe(true);
    const [published] = byName('api', 'students.events publish');
    expect(published?.kind).toBe(SpanKind.PRODUCER);
    expect(published?.parentSpanId).toBe(commit?.spanId);

    // The worker's consumer span continues the producer's context and links to it.
    const [consumed] = trace.filter(
      (s) => s.service === 'worker' && s.kind === (SpanKind.CONSUMER as number),
    );
    expect(consumed?.parentSpanId).toBe(published?.spanId);
    expect(consumed?.links).toContainEqual({ traceId, spanId: published?.spanId });
    const notificationPublishes = byName('worker', 'notifications publish');
    expect(notificationPublishes.length).toBeGreaterThanOrEqual(1);

    // The notifications service consumed it and fanned it out, in the same trace.
    const received = trace.filter(
      (s) => s.service === 'notifications' && s.kind === (SpanKind.CONSUMER as number),
    );
    expect(received.map((s) => s.parentSpanId)).toContain(notificationPublishes[0]?.spanId);
    const fanouts = byName('notifications', 'fanout');
    expect(fanouts.map((s) => s.attributes['event_lab.transport'])).toEqual(expect.arrayContaining(['sse']));
    expect(received.map((s) => s.spanId)).toContain(fanouts[0]?.parentSpanId);

    // The listener sees which trace the notification belongs to.
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('no notification reached the listener')), 20_000);
      const check = setInterval(() => {
        const mine = sse
          .notifications()
          .map((e) => JSON.parse(e.data) as Envelope)
          .find((e) => e.correlationId === correlationId);
        if (!mine) return;
        clearInterval(check);
        clearTimeout(deadline);
        expect(traceIdOf(mine.traceparent)).toBe(traceId);
        resolve();
      }, 50);
    });
    sse.close();
  }, 60_000);
});
