// Loaded only when tracing is on (tracing.ts `startTracing`), before the service's own modules, so
// the maintained instrumentations can patch what those modules import.
import { register } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { routes } from '../../contracts/http.ts';

/**
 * Business requests only: scrapes, health checks and the journey log are not the work a trace
 * follows, and an SSE stream or a Socket.IO session would be one span as long as the connection.
 */
function isTracedRequest(url: string | undefined): boolean {
  const path = (url ?? '').split('?', 1)[0] ?? '';
  return (
    path.startsWith('/api/') &&
    path !== routes.notificationsStream &&
    path !== routes.notificationsStreamAlias
  );
}

/**
 * The maintained instrumentations where they fit: incoming HTTP requests and express routes,
 * PostgreSQL queries and Redis commands. amqplib's is left out on purpose: it opens its publish
 * span in the context active at publish time and writes that span into the message's headers,
 * while an outbox row is published long after its request, by the relay; the relay's own producer
 * span (spans.ts), child of the work that wrote the row, is the parent a consumer must continue.
 * The services are ES modules, so the loader hook that lets the instrumentations see `import`s
 * is registered first.
 */
export function registerLibraryInstrumentations(): void {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  registerInstrumentations({
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => !isTracedRequest(req.url),
        // Outgoing calls of the services (the OTLP export itself, the test page proxy) are not traced.
        ignoreOutgoingRequestHook: () => true,
      }),
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
}
