import { describe, expect, it } from 'vitest';
import { slowBroker } from './slow-broker.ts';
import { expectWellFormed, gatesOf, optionsOf } from './scenario-shape.test-support.ts';
import { faultDurationMs, resultMetrics } from '../lab/index.ts';

describe('slow-broker', () => {
  it('applies latency and bandwidth toxics for the slow phase', () => {
    const options = optionsOf(slowBroker);
    expectWellFormed(slowBroker, options);
    expect(slowBroker.faults?.map((f) => [f.name, f.phase, faultDurationMs(f, options)])).toEqual([
      ['broker-latency', 'slow', 30_000],
      ['broker-bandwidth', 'slow', 30_000],
    ]);
    expect(gatesOf(slowBroker, options).map((g) => g.metric)).toEqual(
      expect.arrayContaining([resultMetrics.eventsLost, resultMetrics.backlogDrainMs]),
    );
  });

  it('scales the slow period and the write bound', () => {
    const options = optionsOf(slowBroker, [
      '--slow-sec',
      '120',
      '--write-growth-max',
      '1.5',
      '--latency-ms',
      '1000',
    ]);
    expect(faultDurationMs(slowBroker.faults![0]!, options)).toBe(120_000);
    expect(gatesOf(slowBroker, options).find((g) => g.metric === 'writes.p99GrowthX')?.threshold).toBe(1.5);
    expect(options.latencyMs).toBe(1000);
  });
});
