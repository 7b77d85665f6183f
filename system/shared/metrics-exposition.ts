import { Registry, type Metric } from 'prom-client';

export interface RenderedMetrics {
  contentType: string;
  body: string;
}

/**
 * Registers a metric made with `enableExemplars: true` and no registries in classic registries,
 * which prom-client refuses at construction: their exposition shows its exemplars only when
 * rendered as OpenMetrics ({@link createMetricsExposition}).
 */
export function registerWithExemplars<M extends Metric>(metric: M, registries: readonly Registry[]): M {
  for (const registry of registries) registry.registerMetric(metric);
  return metric;
}

/**
 * `/metrics` in the format the scraper asks for. Prometheus asks for OpenMetrics first, the only
 * format that carries exemplars (the trace ids of observed latencies); the lab's scrapers and
 * everything else get the classic text format.
 *
 * prom-client renders OpenMetrics from the registry itself and, doing so, renames every counter in
 * place (`foo_total` becomes `foo`, its samples `foo_total` again); a classic render after that
 * would lose the suffix. So renders run one at a time, and an OpenMetrics render puts the content
 * type and the counters' names back before the next one starts.
 */
export function createMetricsExposition(registry: Registry): {
  render(accept?: string): Promise<RenderedMetrics>;
} {
  let queue: Promise<unknown> = Promise.resolve();

  async function openMetrics(): Promise<RenderedMetrics> {
    const names = registry.getMetricsAsArray().map((metric) => [metric, metric.name] as const);
    const classic = registry.contentType;
    // Typed for the registry's own format; the format is what this switches.
    const switchable = registry as unknown as { setContentType(type: string): void };
    switchable.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    try {
      return { contentType: Registry.OPENMETRICS_CONTENT_TYPE, body: await registry.metrics() };
    } finally {
      switchable.setContentType(classic);
      for (const [metric, name] of names) (metric as { name: string }).name = name;
    }
  }

  return {
    render(accept) {
      const wantsOpenMetrics = (accept ?? '').includes('application/openmetrics-text');
      const next = queue.then(async () =>
        wantsOpenMetrics
          ? openMetrics()
          : { contentType: registry.contentType, body: await registry.metrics() },
      );
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
