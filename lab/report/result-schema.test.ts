import { describe, expect, it } from 'vitest';
import { collectMachineInfo } from './machine-info.ts';
import { machineSchema, parseLabResult, resultStatus } from './result-schema.ts';
import { sampleResult } from './sample-result.test-support.ts';

describe('lab result schema', () => {
  it('accepts a complete result and keeps it unchanged', () => {
    const result = sampleResult();
    expect(parseLabResult(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });

  it('lists every problem with its path when a result is malformed', () => {
    const broken = { ...sampleResult(), target: 'cloud', startedAt: 'yesterday', metrics: { 'a.b': 'fast' } };
    const message = (() => {
      try {
        parseLabResult(broken);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/^- target: /m);
    expect(message).toMatch(/^- startedAt: /m);
    expect(message).toMatch(/^- metrics\.a\.b: .*expected number/m);
  });

  it('rejects a result without machine information', () => {
    const { machine: _machine, ...withoutMachine } = sampleResult();
    expect(() => parseLabResult(withoutMachine)).toThrow(/machine/);
  });

  it('reports INVALID over PASSED or FAILED', () => {
    expect(resultStatus({ passed: true, valid: true })).toBe('PASSED');
    expect(resultStatus({ passed: false, valid: true })).toBe('FAILED');
    expect(resultStatus({ passed: true, valid: false })).toBe('INVALID');
  });

  it('describes this machine in the shape the schema expects', () => {
    const machine = machineSchema.parse(collectMachineInfo());
    expect(machine.node).toBe(process.version);
    expect(machine.cpus).toBeGreaterThanOrEqual(1);
  });
});
