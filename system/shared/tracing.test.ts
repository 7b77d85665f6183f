import { ROOT_CONTEXT, TraceFlags, context, propagation, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  contextWithParent,
  createTracing,
  currentTraceparent,
  extractTraceContext,
  formatTraceparent,
  injectTraceHeaders,
  otlpTracesUrl,
  parseTraceparent,
  traceIdOf,
  tracingEnabled,
} from './tracing.ts';

// This file never enables tracing: the global API stays unregistered, as in a service without an
// OTLP endpoint. Enabled tracing is tested against a receiver in testing/otlp-receiver.test.ts.
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';
const valid = `00-${traceId}-${spanId}-01`;

describe('parseTraceparent', () => {
  it('reads a valid header as a remote, sampled span context', () => {
    expect(parseTraceparent(valid)).toEqual({
      traceId,
      spanId,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(parseTraceparent(`00-${traceId}-${spanId}-00`)?.traceFlags).toBe(TraceFlags.NONE);
    expect(parseTraceparent(` ${valid} `)?.traceId).toBe(traceId);
  });

  it.each([
    ['a number', 42],
    ['undefined', undefined],
    ['an empty string', ''],
    ['another version', `01-${traceId}-${spanId}-01`],
    ['version 00 with a trailing field', `${valid}-extra`],
    ['upper-case hex', `00-${traceId.toUpperCase()}-${spanId}-01`],
    ['a short trace id', `00-${traceId.slice(1)}-${spanId}-01`],
    ['a short span id', `00-${traceId}-${spanId.slice(1)}-01`],
    ['non-hex flags', `00-${traceId}-${spanId}-0g`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${spanId}-01`],
    ['an all-zero span id', `00-${traceId}-${'0'.repeat(16)}-01`],
  ])('rejects %s', (_what, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});

describe('formatTraceparent', () => {
  it('writes what parseTraceparent reads', () => {
    for (const header of [valid, `00-${traceId}-${spanId}-00`]) {
      const parsed = parseTraceparent(header);
      expect(parsed && formatTraceparent(parsed)).toBe(header);
    }
  });

  it('pads the flags to two hex digits', () => {
    expect(formatTraceparent({ traceId, spanId, traceFlags: 1 })).toBe(valid);
  });
});

describe('traceIdOf', () => {
  it('returns the trace id of a valid header and undefined otherwise', () => {
    expect(traceIdOf(valid)).toBe(traceId);
    expect(traceIdOf(undefined)).toBeUndefined();
    expect(traceIdOf('garbage')).toBeUndefined();
  });
});

describe('contextWithParent', () => {
  it('carries the remote span context of a valid header', () => {
    expect(trace.getSpanContext(contextWithParent(valid))).toEqual(parseTraceparent(valid));
  });

  it('is the root context for an absent or invalid header', () => {
    expect(contextWithParent(undefined)).toBe(ROOT_CONTEXT);
    expect(contextWithParent(`00-${'0'.repeat(32)}-${spanId}-01`)).toBe(ROOT_CONTEXT);
  });
});

describe('trace headers with tracing disabled', () => {
  it('extracts a valid traceparent although no propagator is registered', () => {
    const ctx = extractTraceContext({ traceparent: valid, 'x-correlation-id': 'c-1' });
    expect(trace.getSpanContext(ctx)?.traceId).toBe(traceId);
  });

  it('extracts the root context from absent, invalid or non-string headers', () => {
    expect(extractTraceContext(undefined)).toBe(ROOT_CONTEXT);
    expect(extractTraceContext({})).toBe(ROOT_CONTEXT);
    expect(extractTraceContext({ traceparent: 'garbage' })).toBe(ROOT_CONTEXT);
    expect(extractTraceContext({ traceparent: Buffer.from(valid) })).toBe(ROOT_CONTEXT);
  });

  it('injects the traceparent of an extracted context, so the trace id crosses the next hop', () => {
    const headers: Record<string, unknown> = { 'x-correlation-id': 'c-1' };
    injectTraceHeaders(headers, extractTraceContext({ traceparent: valid }));
    expect(headers).toEqual({ 'x-correlation-id': 'c-1', traceparent: valid });
  });

  it('injects nothing without a span context', () => {
    const headers: Record<string, unknown> = {};
    injectTraceHeaders(headers);
    injectTraceHeaders(headers, ROOT_CONTEXT);
    expect(headers).toEqual({});
  });

  it('has no active traceparent, even inside a context with a parent', () => {
    expect(currentTraceparent()).toBeUndefined();
    // No context manager is registered: `with` does not make the context active.
    expect(context.with(contextWithParent(valid), currentTraceparent)).toBeUndefined();
  });
});

describe('createTracing', () => {
  it('is enabled by either OTLP endpoint unless the SDK is disabled', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces' })).toBe(true);
    expect(
      tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318', OTEL_SDK_DISABLED: 'TRUE' }),
    ).toBe(false);
    expect(
      tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318', OTEL_SDK_DISABLED: 'false' }),
    ).toBe(true);
  });

  it('sends to the traces endpoint as given, or to /v1/traces under the base endpoint', () => {
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318' })).toBe(
      'http://tempo:4318/v1/traces',
    );
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318/' })).toBe(
      'http://tempo:4318/v1/traces',
    );
    expect(
      otlpTracesUrl({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/custom',
      }),
    ).toBe('http://collector:4318/custom');
  });

  it('registers nothing and records nothing when disabled', async () => {
    const tracing = await createTracing({
      service: 'api',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SDK_DISABLED: 'true' },
    });
    expect(tracing.enabled).toBe(false);
    const span = tracing.tracer.startSpan('work', {}, contextWithParent(valid));
    expect(span.isRecording()).toBe(false);
    // The no-op span keeps its parent's trace id, so logs can still name it.
    expect(span.spanContext().traceId).toBe(traceId);
    span.end();
    await expect(tracing.forceFlush()).resolves.toBeUndefined();
    await expect(tracing.shutdown()).resolves.toBeUndefined();
    // Still the API's defaults: no propagator fields, no context manager, no provider.
    expect(propagation.fields()).toEqual([]);
    expect(context.with(contextWithParent(valid), () => context.active())).toBe(ROOT_CONTEXT);
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });
});
