import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { Envelope } from '../../contracts/envelope.ts';
import { currentContext } from './correlation.ts';
import { contextWithParent, currentTraceparent, injectTraceHeaders, tracingActive } from './tracing.ts';

/**
 * The spans the services make by hand: a write's commit with its outbox rows, each outbox row's
 * publish, each consumed message, each fan-out. Every helper checks {@link tracingActive} first:
 * with tracing off they only pass the caller's `traceparent` on, and cost a branch.
 */
const tracer = trace.getTracer('event-lab');

/**
 * The `traceparent` a message made now should carry: the active span's, or (tracing off) the one
 * the work inherited from its request or consumed message (the correlation context holds it).
 */
export function traceparentForNewMessage(): string | undefined {
  return currentTraceparent() ?? currentContext()?.traceparent;
}

/** Runs `fn` inside an internal span (ended when it settles, marked failed when it throws). */
export function inSpan<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!tracingActive()) return fn();
  return tracer.startActiveSpan(name, (span) => settle(span, fn()));
}

async function settle<T>(span: Span, work: Promise<T>): Promise<T> {
  try {
    const result = await work;
    span.end();
    return result;
  } catch (error) {
    failSpan(span, error);
    throw error;
  }
}

/** Ends a span (none with tracing off). */
export function endSpan(span: Span | undefined): void {
  span?.end();
}

/** Ends a span (none with tracing off) marked failed with `error`. */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  span.end();
}

const messagingAttributes = (envelope: Pick<Envelope, 'messageId' | 'correlationId' | 'type'>) => ({
  'messaging.system': 'rabbitmq',
  'messaging.message.id': envelope.messageId,
  'messaging.message.conversation_id': envelope.correlationId,
  'event_lab.message.type': envelope.type,
});

/**
 * A producer span for one outbox row's publish, child of the work that wrote the row; its
 * context goes into the message's headers. Undefined with tracing off.
 */
export function startPublishSpan(exchange: string, routingKey: string, envelope: Envelope): Span | undefined {
  if (!tracingActive()) return undefined;
  return tracer.startSpan(
    `${exchange} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...messagingAttributes(envelope),
        'messaging.operation.type': 'send',
        'messaging.destination.name': exchange,
        'messaging.rabbitmq.destination.routing_key': routingKey,
      },
    },
    contextWithParent(envelope.traceparent),
  );
}

/** AMQP headers carrying the trace: the publish span's, or the row's own `traceparent` with tracing off. */
export function traceHeadersFor(
  envelope: Envelope,
  span: Span | undefined,
): Record<string, unknown> | undefined {
  if (span) {
    const headers: Record<string, unknown> = {};
    injectTraceHeaders(headers, trace.setSpan(ROOT_CONTEXT, span));
    return headers;
  }
  return envelope.traceparent ? { traceparent: envelope.traceparent } : undefined;
}

/**
 * Runs the handling of a consumed message inside a consumer span whose parent is the producer's
 * context (`producer`, read from the message's headers) and which links to it, as the messaging
 * conventions ask: the trace stays one tree and the hop stays visible where links are drawn.
 */
export function inConsumerSpan<T>(
  name: string,
  producer: Context,
  envelope: Envelope,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  if (!tracingActive()) return fn();
  const producerSpan = trace.getSpanContext(producer);
  const span = tracer.startSpan(
    name,
    {
      kind: SpanKind.CONSUMER,
      attributes: { ...messagingAttributes(envelope), 'messaging.operation.type': 'process', ...attributes },
      ...(producerSpan ? { links: [{ context: producerSpan }] } : {}),
    },
    producer,
  );
  return context.with(trace.setSpan(producer, span), () => settle(span, fn()));
}

/** A span over work already done, from `startMs` to `endMs` (epoch ms), under `parent`. */
export function recordSpan(
  name: string,
  parent: Context,
  startMs: number,
  endMs: number,
  attributes: Attributes,
): void {
  if (!tracingActive()) return;
  tracer.startSpan(name, { startTime: startMs, attributes }, parent).end(endMs);
}
