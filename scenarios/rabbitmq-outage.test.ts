import { describe, expect, it } from 'vitest';
import { outageGates, outageVariants, rabbitmqOutage } from './rabbitmq-outage.ts';
import { expectWellFormed, optionsOf } from './scenario-shape.test-support.ts';
import { faultDurationMs, resultMetrics } from '../lab/index.ts';

describe('rabbitmq-outage', () => {
  it('runs both faults in both publish modes by default, with a 30 s cut', () => {
    const options = optionsOf(rabbitmqOutage);
    expectWellFormed(rabbitmqOutage, options);
    expect(outageVariants(options).map((v) => [v.name, v.env.api?.PUBLISH_MODE])).toEqual([
      ['outbox-refused', 'outbox'],
      ['outbox-partition', 'outbox'],
      ['direct-refused', 'direct'],
      ['direct-partition', 'direct'],
    ]);
    const cut = rabbitmqOutage.faults?.[0];
    expect(cut && faultDurationMs(cut, options)).toBe(30_000);
    expect(rabbitmqOutage.phases.find((p) => p.name === 'cut')?.durationMs).toBeTypeOf('function');
  });

  it('gates outbox variants on loss and drain, direct variants on fast 503s, all on the breaker', () => {
    const gates = outageGates(optionsOf(rabbitmqOutage));
    const of = (variant: string) =>
      gates
        .filter((g) => g.name.startsWith(`${variant}:`))
        .map((g) => `${g.phase}:${g.metric}${g.op}${g.threshold}`);
    expect(of('outbox-partition')).toEqual([
      'outbox-partition-cut:breaker.firstFailureToOpenMs<=2000',
      'outbox-partition-recovery:breaker.closed==1',
      'outbox-partition-cut:writes.successRate==1',
      `undefined:variant.outbox-partition.${resultMetrics.eventsLost}==0`,
      'undefined:variant.outbox-partition.notifications.missing==0',
      `outbox-partition-recovery:${resultMetrics.backlogDrainMs}<=10000`,
    ]);
    expect(of('direct-refused')).toContain('direct-refused-cut:writes.whileOpen.p99Ms<=50');
  });

  it('scales: a short cut, one mode, one fault', () => {
    const options = optionsOf(rabbitmqOutage, [
      '--cut-sec',
      '5',
      '--publish-mode',
      'direct',
      '--fault',
      'partition',
      '--rate',
      '50',
    ]);
    expectWellFormed(rabbitmqOutage, options);
    expect(outageVariants(options).map((v) => v.name)).toEqual(['direct-partition']);
    const cut = rabbitmqOutage.faults?.[0];
    expect(cut && faultDurationMs(cut, options)).toBe(5000);
    expect(options.rate).toBe(50);
  });
});
