import { describe, expect, it } from 'vitest';
import { defineGates, phaseMetricName, type Gate } from './gate.ts';
import { allGatesPassed, judgeGates } from './judge-gates.ts';

const gate = (op: Gate['op'], threshold: number, extra: Partial<Gate> = {}): Gate => ({
  name: `value ${op} ${threshold}`,
  metric: 'http.latency.p99Ms',
  op,
  threshold,
  ...extra,
});

describe('judgeGates', () => {
  it('applies each comparison operator to the measured value', () => {
    const metrics = { 'http.latency.p99Ms': 100 };
    const verdicts = judgeGates(
      [gate('<', 100), gate('<=', 100), gate('>', 99), gate('>=', 101), gate('==', 100), gate('!=', 100)],
      metrics,
    );
    expect(verdicts.map((v) => v.passed)).toEqual([false, true, true, false, true, false]);
    expect(verdicts[0]).toEqual({
      name: 'value < 100',
      metric: 'http.latency.p99Ms',
      op: '<',
      threshold: 100,
      value: 100,
      passed: false,
      reason: 'http.latency.p99Ms = 100, expected < 100',
    });
    expect(verdicts[1]).not.toHaveProperty('reason');
  });

  it('fails a gate whose metric was never measured, saying so', () => {
    const [verdict] = judgeGates([gate('<', 250)], { 'http.latency.p50Ms': 3 });
    expect(verdict).toMatchObject({ passed: false, value: null });
    expect(verdict?.reason).toBe('metric http.latency.p99Ms was not measured');
  });

  it('fails a gate whose metric is undefined or NaN, even for != comparisons', () => {
    const verdicts = judgeGates([gate('!=', 1), { ...gate('!=', 1), name: 'nan' }], {
      'http.latency.p99Ms': undefined,
    });
    expect(verdicts.every((v) => !v.passed)).toBe(true);
    const [nan] = judgeGates([gate('<', 1)], { 'http.latency.p99Ms': NaN });
    expect(nan).toMatchObject({
      passed: false,
      value: null,
      reason: 'metric http.latency.p99Ms is not a finite number (NaN)',
    });
  });

  it('reads a phase gate from that phase’s metric only', () => {
    const metrics = {
      'http.latency.p99Ms': 900,
      [phaseMetricName('steady', 'http.latency.p99Ms')]: 40,
    };
    const [verdict] = judgeGates([gate('<', 100, { phase: 'steady' })], metrics);
    expect(verdict).toMatchObject({ phase: 'steady', value: 40, passed: true });
    const [missing] = judgeGates([gate('<', 100, { phase: 'recovery' })], metrics);
    expect(missing?.reason).toBe('metric phase.recovery.http.latency.p99Ms was not measured');
  });

  it('does not treat inherited object properties as metrics', () => {
    const [verdict] = judgeGates([{ ...gate('!=', 0), metric: 'constructor' }], {});
    expect(verdict?.passed).toBe(false);
  });
});

describe('allGatesPassed', () => {
  it('is true only when there are gates and all passed', () => {
    const passed = judgeGates([gate('<', 10)], { 'http.latency.p99Ms': 1 });
    const failed = judgeGates([gate('<', 10), gate('>', 10)], { 'http.latency.p99Ms': 1 });
    expect(allGatesPassed(passed)).toBe(true);
    expect(allGatesPassed(failed)).toBe(false);
    expect(allGatesPassed([])).toBe(false);
  });
});

describe('defineGates', () => {
  it('lists every problem in invalid gate declarations', () => {
    const bad = [
      { name: '', metric: 'x', op: '<', threshold: 1 },
      { name: 'b', metric: 'x', op: '=~', threshold: 1 },
    ] as unknown as Gate[];
    expect(() => defineGates(bad)).toThrow(/0\.name[\s\S]*1\.op/);
  });

  it('rejects two gates with the same name', () => {
    expect(() => defineGates([gate('<', 1), gate('<', 1)])).toThrow(/duplicate gate name "value < 1"/);
  });
});
