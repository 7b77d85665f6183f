import { describe, expect, it } from 'vitest';
import { breakerStateValue, metricNames } from '../../contracts/service-metrics.ts';
import { observeBreakers } from './breaker-observer.ts';
import { createServiceMetrics } from './metrics.ts';
import { createResiliencePolicy } from './resilience-policy.ts';

const policy = (name: string) =>
  createResiliencePolicy({
    name,
    timeoutMs: 100,
    maxRetries: 0,
    initialDelayMs: 1,
    maxDelayMs: 1,
    consecutiveFailures: 1,
    halfOpenAfterMs: 60_000,
  });

const sample = async (metrics: ReturnType<typeof createServiceMetrics>, name: string) =>
  (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];

describe('observeBreakers', () => {
  it('puts each breaker state in the gauge and counts and logs every transition', async () => {
    const metrics = createServiceMetrics('test');
    const warnings: unknown[] = [];
    const [amqp, redis] = [policy('amqp'), policy('redis')];
    observeBreakers([amqp, redis], { metrics, logger: { warn: (entry: unknown) => warnings.push(entry) } });
    await expect(amqp.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');

    const states = await sample(metrics, metricNames.breakerState);
    expect(states.map((v) => [v.labels.breaker, v.value])).toEqual([
      ['amqp', breakerStateValue.open],
      ['redis', breakerStateValue.closed],
    ]);
    const transitions = await sample(metrics, metricNames.breakerTransitions);
    expect(transitions.map((v) => [v.labels, v.value])).toEqual([
      [{ breaker: 'amqp', from: 'closed', to: 'open' }, 1],
    ]);
    expect(warnings).toMatchObject([{ event: 'breaker_transition', breaker: 'amqp', to: 'open' }]);
  });

  it('stops observing after the returned unsubscribe', async () => {
    const metrics = createServiceMetrics('test');
    const amqp = policy('amqp');
    const warnings: unknown[] = [];
    const stop = observeBreakers([amqp], {
      metrics,
      logger: { warn: (entry: unknown) => warnings.push(entry) },
    });
    stop();
    await expect(amqp.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await sample(metrics, metricNames.breakerTransitions)).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
