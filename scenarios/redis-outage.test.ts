import { describe, expect, it } from 'vitest';
import { redisOutage } from './redis-outage.ts';
import { expectWellFormed, gatesOf, optionsOf } from './scenario-shape.test-support.ts';
import { faultDurationMs } from '../lab/index.ts';

describe('redis-outage', () => {
  it('cuts Redis for 20 s by default and gates reads during the cut and loss', () => {
    const options = optionsOf(redisOutage);
    expectWellFormed(redisOutage, options);
    const fault = redisOutage.faults?.[0];
    expect(fault && faultDurationMs(fault, options)).toBe(20_000);
    const gates = gatesOf(redisOutage, options);
    expect(gates.filter((g) => g.phase === 'cut').map((g) => g.metric)).toEqual([
      'reads.successRate',
      'reads.count',
      'reads.p99Ms',
      'writes.successRate',
    ]);
  });

  it('scales the cut and the read p99 bound', () => {
    const options = optionsOf(redisOutage, ['--cut-sec', '60', '--p99-ms', '250', '--read-rate', '1000']);
    const fault = redisOutage.faults?.[0];
    expect(fault && faultDurationMs(fault, options)).toBe(60_000);
    expect(gatesOf(redisOutage, options).find((g) => g.metric === 'reads.p99Ms')?.threshold).toBe(250);
    expect(options.readRate).toBe(1000);
  });
});
