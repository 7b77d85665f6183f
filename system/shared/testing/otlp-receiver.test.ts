import { SpanKind, context, trace } from '@opentelemetry/api';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTracing,
  currentTraceparent,
  extractTraceContext,
  formatTraceparent,
  injectTraceHeaders,
  type Tracing,
} from '../tracing.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.ts';

// One tracing for the file: the first enabled createTracing registers the process-wide context
// manager and propagator, which every test here relies on.
let receiver: OtlpReceiver;
let tracing: Tracing;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  tracing = await createTracing({ service: 'api', env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
});
afterAll(async () => {
  await tracing.shutdown();
  await receiver.close();
});

const named = (spans: ReceivedSpan[], name: string) => spans.find((s) => s.name === name);
const post = (
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
  path = '/v1/traces',
) =>
  fetch(`${receiver.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

describe('the OTLP receiver with the services’ exporter', () => {
  it('receives parent, child and linked spans with their ids, service and attributes', async () => {
    expect(tracing.enabled).toBe(true);
    const parent = tracing.tracer.startSpan('POST /students', { kind: SpanKind.SERVER });
    const child = tracing.tracer.startSpan(
      'publish student.registered',
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.batch.message_count': 3, retried: false } },
      trace.setSpan(context.active(), parent),
    );
    child.end();
    parent.end();
    const linked = tracing.tracer.startSpan('process batch', {
      root: true,
      kind: SpanKind.CONSUMER,
      links: [{ context: child.spanContext() }],
    });
    linked.end();
    await tracing.forceFlush();

    const spans = await receiver.waitFor((all) => named(all, 'process batch') !== undefined, 5_000);
    const [p, c, l] = ['POST /students', 'publish student.registered', 'process batch'].map((n) =>
      named(spans, n),
    );
    expect(p).toMatchObject({
      traceId: parent.spanContext().traceId,
      spanId: parent.spanContext().spanId,
      kind: SpanKind.SERVER,
      service: 'api',
    });
    expect(p?.parentSpanId).toBeUndefined();
    expect(c).toMatchObject({
      traceId: p?.traceId,
      spanId: child.spanContext().spanId,
      parentSpanId: p?.spanId,
      kind: SpanKind.PRODUCER,
      service: 'api',
      attributes: { 'messaging.batch.message_count': 3, retried: false },
    });
    expect(l).toMatchObject({ kind: SpanKind.CONSUMER, service: 'api' });
    expect(l?.parentSpanId).toBeUndefined();
    expect(l?.traceId).not.toBe(p?.traceId);
    expect(l?.links).toEqual([{ traceId: p?.traceId, spanId: c?.spanId }]);
    // Microseconds since the epoch: within a minute of now, and a span ends after it starts.
    expect(Math.abs((p?.startUs ?? 0) / 1_000 - Date.now())).toBeLessThan(60_000);
    expect(p?.endUs).toBeGreaterThanOrEqual(p?.startUs ?? Infinity);
  });

  it('carries the active span through AMQP headers to the consumer’s span', async () => {
    const headers: Record<string, unknown> = {};
    const publisher = tracing.tracer.startActiveSpan('publish', (span) => {
      expect(currentTraceparent()).toBe(formatTraceparent(span.spanContext()));
      injectTraceHeaders(headers);
      span.end();
      return span.spanContext();
    });
    expect(currentTraceparent()).toBeUndefined();
    expect(headers.traceparent).toBe(formatTraceparent(publisher));
    tracing.tracer.startSpan('consume', {}, extractTraceContext(headers)).end();
    await tracing.forceFlush();

    const spans = await receiver.waitFor((all) => named(all, 'consume') !== undefined, 5_000);
    expect(named(spans, 'consume')).toMatchObject({
      traceId: publisher.traceId,
      parentSpanId: publisher.spanId,
    });
  });
});

describe('the OTLP receiver on its own', () => {
  const request = (span: Record<string, unknown>) =>
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'worker' } }] },
          scopeSpans: [{ spans: [span] }],
        },
      ],
    });
  const span = {
    traceId: Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736', 'hex').toString('base64'),
    spanId: Buffer.from('00f067aa0ba902b7', 'hex').toString('base64'),
    parentSpanId: '',
    name: 'from another encoder',
    kind: 5,
    startTimeUnixNano: 1_700_000_000_000_000_000,
    endTimeUnixNano: '1700000000002000000',
    attributes: [{ key: 'attempt', value: { intValue: '2' } }],
  };

  it('reads base64 ids, numeric times, string integers and gzip, and answers {}', async () => {
    const response = await post(new Uint8Array(gzipSync(request(span))), { 'content-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect(named(receiver.spans(), 'from another encoder')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      name: 'from another encoder',
      kind: SpanKind.CONSUMER,
      service: 'worker',
      startUs: 1_700_000_000_000_000,
      endUs: 1_700_000_000_002_000,
      attributes: { attempt: 2 },
      links: [],
    });
  });

  it('refuses protobuf with 415 and says which encoding it reads', async () => {
    const response = await post(new Uint8Array([0x0a, 0x00]), { 'content-type': 'application/x-protobuf' });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { message: string }).message).toMatch(/http\/json/);
  });

  it('refuses malformed bodies with 400 and other paths with 404', async () => {
    expect((await post('{not json')).status).toBe(400);
    expect((await post(JSON.stringify({ resourceSpans: 'none' }))).status).toBe(400);
    expect((await post(request({ ...span, traceId: 'xyz' }))).status).toBe(400);
    expect((await post('{}', {}, '/v1/metrics')).status).toBe(404);
  });

  it('refuses a body over its limit with 413: declared, streamed, or once decompressed', async () => {
    const small = await startOtlpReceiver({ maxBodyBytes: 100 });
    const send = (body: Buffer | ReadableStream, headers: Record<string, string> = {}) =>
      fetch(`${small.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        duplex: 'half',
      } as RequestInit);
    // A stream has no content length: the receiver counts the bytes as they arrive.
    const streamed = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(request(span)));
        controller.close();
      },
    });
    const bomb = gzipSync(`{"resourceSpans":[]}${' '.repeat(10_000)}`);
    try {
      expect(bomb.length).toBeLessThan(100);
      expect((await send(Buffer.from(request(span)))).status).toBe(413);
      expect((await send(streamed)).status).toBe(413);
      expect((await send(bomb, { 'content-encoding': 'gzip' })).status).toBe(413);
      expect((await send(gzipSync('{"resourceSpans":[]}'), { 'content-encoding': 'gzip' })).status).toBe(200);
      expect(small.spans()).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('rejects waitFor after its timeout, naming how many spans arrived', async () => {
    await expect(receiver.waitFor(() => false, 20)).rejects.toThrow(/timed out after 20 ms/);
  });
});
