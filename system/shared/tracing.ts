import {
  ROOT_CONTEXT,
  context,
  isSpanContextValid,
  propagation,
  trace,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';

export interface Tracing {
  /** Whether spans leave the process (an OTLP endpoint is configured and the SDK is not disabled). */
  enabled: boolean;
  tracer: Tracer;
  /** Flushes pending spans; rejects when the export fails. */
  forceFlush(): Promise<void>;
  /** Flushes and stops exporting. Idempotent. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `service.name` of the spans unless `OTEL_SERVICE_NAME` says otherwise. */
  service: string;
  /** Where the `OTEL_*` variables are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The context manager, propagator and global tracer provider are process-wide and can be
 * registered once; tests start several services in one process, so later providers only export.
 */
let registered = false;

export const nonEmpty = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** Whether this process exports spans: a provider was registered. Spans cost nothing while false. */
export const tracingActive = (): boolean => registered;

/** Whether `env` asks for spans to be exported. */
export function tracingEnabled(env: NodeJS.ProcessEnv): boolean {
  if (nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true') return false;
  return otlpTracesUrl(env) !== undefined;
}

/**
 * The OTLP/HTTP traces URL `env` names: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given, else
 * `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces` appended, as the exporter reads them. Passed to
 * the exporter explicitly so an `env` other than `process.env` is honoured.
 */
export function otlpTracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  const traces = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (traces) return traces;
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return base && `${base.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * What a service's `main.ts` calls first, before importing anything it would trace: with tracing
 * on, the maintained instrumentations are registered (instrumentations.ts, loaded only then), so
 * the modules imported after see them; then {@link createTracing}.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (tracingEnabled(options.env ?? process.env) && !registered) {
    const { registerLibraryInstrumentations } = await import('./instrumentations.ts');
    registerLibraryInstrumentations();
  }
  return createTracing(options);
}

/**
 * The service's tracing. Disabled, nothing is registered and `tracer` is the API's global one, a
 * no-op unless something else in the process registered a provider. Enabled, spans are batched
 * to the OTLP/HTTP endpoint; the first enabled call registers the W3C trace-context propagator
 * and the AsyncLocalStorage context manager for the whole process. The SDK and its exporter are
 * loaded only then: they cost an idle process about 5 MB it would never use.
 */
export async function createTracing({ service, env = process.env }: TracingOptions): Promise<Tracing> {
  if (!tracingEnabled(env)) {
    return {
      enabled: false,
      tracer: trace.getTracer(service),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }
  const serviceName = nonEmpty(env.OTEL_SERVICE_NAME) ?? service;
  const { createExportingProvider } = await import('./tracing-export.ts');
  const provider = createExportingProvider(serviceName, otlpTracesUrl(env), env);
  if (!registered) {
    provider.register();
    registered = true;
  }
  let stopping: Promise<void> | undefined;
  return {
    enabled: true,
    tracer: provider.getTracer(serviceName),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => (stopping ??= provider.shutdown()),
  };
}

/** Version 00 only, lower-case hex as the W3C format requires; a trailing field is not version 00. */
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote span context a `traceparent` header names, or undefined when it is not a valid one. */
export function parseTraceparent(value: unknown): SpanContext | undefined {
  if (typeof value !== 'string') return undefined;
  const match = traceparentPattern.exec(value.trim());
  if (!match) return undefined;
  const [, traceId = '', spanId = '', flags = ''] = match;
  const spanContext: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
  // Rejects the all-zero trace and span ids.
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** `00-<trace id>-<span id>-<flags>`. */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The 32-hex trace id of a `traceparent`, or undefined when it is absent or invalid. */
export const traceIdOf = (traceparent: string | undefined): string | undefined =>
  parseTraceparent(traceparent)?.traceId;

/** A fresh context whose parent is the span a `traceparent` names; the root context without one. */
export function contextWithParent(traceparent: string | undefined): Context {
  const parent = parseTraceparent(traceparent);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}

/** The `traceparent` of the active span; undefined without one (always, when tracing is disabled). */
export function currentTraceparent(): string | undefined {
  const active = trace.getSpanContext(context.active());
  return active && isSpanContextValid(active) ? formatTraceparent(active) : undefined;
}

/**
 * Writes the trace headers of `ctx` (default: the active context) into AMQP message headers.
 * With tracing disabled no propagator is registered, so a valid span context in `ctx` (one that
 * {@link extractTraceContext} read from an incoming message) is written as `traceparent` here: a
 * caller's trace id crosses every hop whether or not the services export spans.
 */
export function injectTraceHeaders(headers: Record<string, unknown>, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers);
  if (propagation.fields().includes('traceparent')) return;
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext && isSpanContextValid(spanContext)) headers.traceparent = formatTraceparent(spanContext);
}

/** AMQP header values arrive as strings, numbers or buffers; the propagator reads only strings. */
const headerGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (typeof value === 'string') return value;
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
  },
};

/**
 * A fresh context whose parent is the span the message's trace headers name, for consuming the
 * message; the root context without them. A valid `traceparent` is honoured with tracing disabled.
 */
export function extractTraceContext(headers: Record<string, unknown> | undefined): Context {
  if (!headers) return ROOT_CONTEXT;
  const extracted = propagation.extract(ROOT_CONTEXT, headers, headerGetter);
  const parent = trace.getSpanContext(extracted);
  return parent && isSpanContextValid(parent) ? extracted : contextWithParent(headerString(headers));
}

const headerString = (headers: Record<string, unknown>) =>
  typeof headers.traceparent === 'string' ? headers.traceparent : undefined;
