import { describe, expect, it } from 'vitest';
import { alertTiming, gatesOfAlert } from './alerts.ts';

const fault = { appliedMs: 10_000, rolledBackMs: 15_000 };
const seconds = (...s: number[]) => s.map((x) => x * 1000);

describe('when an alert followed a fault', () => {
  it('fired at its first firing sample after the fault, resolved one step after its last', () => {
    expect(alertTiming(seconds(13, 14, 15, 16), fault, 1_000, 30_000)).toEqual({
      firedAfterMs: 3_000,
      resolvedAfterMs: 2_000,
    });
  });

  it('ignores firing before the fault, and a flap in between', () => {
    expect(alertTiming(seconds(2, 3, 12, 14, 15), fault, 1_000, 30_000)).toEqual({
      firedAfterMs: 2_000,
      resolvedAfterMs: 1_000,
    });
  });

  it('has not resolved while it still fires at the end of the query', () => {
    expect(alertTiming(seconds(12, 13, 29), fault, 1_000, 29_500)).toEqual({ firedAfterMs: 2_000 });
  });

  it('never fired: no timing at all, so both gates fail as not measured', () => {
    expect(alertTiming([], fault, 1_000, 30_000)).toEqual({});
    expect(alertTiming(seconds(12), {}, 1_000, 30_000)).toEqual({});
  });

  it('stands for two gates on the timing metrics, bounded as declared', () => {
    const gates = gatesOfAlert({
      name: 'breaker alert',
      alert: 'CircuitBreakerOpen',
      fault: 'cut',
      firesWithinMs: 10_000,
      resolvesWithinMs: 20_000,
    });
    expect(gates.map((g) => [g.metric, g.op, g.threshold])).toEqual([
      ['alerts.CircuitBreakerOpen.firedAfterMs', '<=', 10_000],
      ['alerts.CircuitBreakerOpen.resolvedAfterMs', '<=', 20_000],
    ]);
  });
});
