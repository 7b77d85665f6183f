import { describe, expect, it } from 'vitest';
import { sampleResult } from '../sample-result.test-support.ts';
import { faultSpans, faultTargets } from './fault-spans.ts';

/** Smoke's shape: a 5 s cut whose fault is still listed on the recovery phase after it. */
const smokeLike = () =>
  sampleResult({
    phases: [
      { name: 'steady', startMs: 0, endMs: 17_672 },
      { name: 'broker-cut', startMs: 17_672, endMs: 22_672, fault: 'rabbitmq: proxy disabled' },
      { name: 'recovery', startMs: 22_673, endMs: 28_436, fault: 'rabbitmq: proxy disabled' },
    ],
    metrics: { 'fault.rabbitmq-down.appliedAtMs': 17_674, 'fault.rabbitmq-down.rolledBackAtMs': 22_759 },
  });

describe('faultSpans', () => {
  it('takes the band from the applied and rolled-back times, not from the phases that list the fault', () => {
    expect(faultSpans(smokeLike())).toEqual([
      { label: 'rabbitmq-down', startSec: 17.674, endSec: 22.759, source: 'metrics' },
    ]);
  });

  it('prefers the fault records over the metrics', () => {
    const result = { ...smokeLike(), faults: [{ name: 'cut', appliedTSec: 18, rolledBackTSec: 23 }] };
    expect(faultSpans(result)).toEqual([{ label: 'cut', startSec: 18, endSec: 23, source: 'faults' }]);
  });

  it('runs a fault that was never rolled back to the end of the run', () => {
    const result = sampleResult({ metrics: { 'fault.cut.appliedAtMs': 12_000 } });
    expect(faultSpans(result)).toEqual([{ label: 'cut', startSec: 12, endSec: 30.5, source: 'metrics' }]);
  });

  it('falls back to the phase bounds, merged and marked as such, when no times were recorded', () => {
    const result = { ...smokeLike(), metrics: {} };
    expect(faultSpans(result)).toEqual([
      {
        label: 'rabbitmq: proxy disabled (phase bounds)',
        startSec: 17.672,
        endSec: 28.436,
        source: 'phases',
      },
    ]);
  });
});

describe('faultTargets', () => {
  it('names the components before the colon of every fault description', () => {
    const result = sampleResult({
      phases: [{ name: 'slow', startMs: 0, endMs: 1, fault: 'rabbitmq: latency; notifications: reset_peer' }],
    });
    expect([...faultTargets(result)].sort()).toEqual(['notifications', 'rabbitmq']);
  });
});
