// The OpenTelemetry SDK and its OTLP exporter, loaded by tracing.ts only when spans are exported.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { nonEmpty } from './tracing.ts';

/**
 * Sized for a lab run at a few hundred messages a second with several spans each: the default
 * queue (2,048 spans, flushed every 5 s) overflows within a second or two and drops spans. 16,384
 * spans flushed every 500 ms hold about 30 s of an outage of the collector. `OTEL_BSP_*` override.
 */
const batchDefaults = { maxQueueSize: 16_384, maxExportBatchSize: 1_024, scheduledDelayMillis: 500 };

/** A provider batching `serviceName`'s spans to the OTLP/HTTP endpoint at `url`. */
export function createExportingProvider(
  serviceName: string,
  url: string | undefined,
  env: NodeJS.ProcessEnv,
): NodeTracerProvider {
  return new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName })),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), batchConfig(env))],
  });
}

function batchConfig(env: NodeJS.ProcessEnv) {
  const positive = (name: string) => {
    const value = Number(nonEmpty(env[name]));
    return Number.isInteger(value) && value > 0 ? value : undefined;
  };
  const maxQueueSize = positive('OTEL_BSP_MAX_QUEUE_SIZE') ?? batchDefaults.maxQueueSize;
  return {
    maxQueueSize,
    maxExportBatchSize: Math.min(
      positive('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? batchDefaults.maxExportBatchSize,
      maxQueueSize,
    ),
    scheduledDelayMillis: positive('OTEL_BSP_SCHEDULE_DELAY') ?? batchDefaults.scheduledDelayMillis,
  };
}
