import { describe, expect, it } from 'vitest';
import { listenerStorm, liveGuardMs, liveWindow } from './listener-storm.ts';
import { expectWellFormed, gatesOf, optionsOf } from './scenario-shape.test-support.ts';
import { resultMetrics } from '../lab/index.ts';

describe('listener-storm', () => {
  it('defaults to 10,000 listeners on one notifications process and a reset storm on the notifications proxy', () => {
    const options = optionsOf(listenerStorm);
    expectWellFormed(listenerStorm, options);
    expect(options.listeners).toBe(10_000);
    expect(listenerStorm.env instanceof Function && listenerStorm.env(options)).toEqual({
      notifications: { NOTIFICATIONS_PROCESSES: '1' },
    });
    expect(listenerStorm.faults?.map((f) => [f.phase, f.name])).toEqual([['storm', 'notifications-reset']]);
    const gates = gatesOf(listenerStorm, options);
    expect(gates.find((g) => g.metric === resultMetrics.listenersConnected)?.threshold).toBe(10_000);
    expect(gates.map((g) => g.metric)).toEqual(
      expect.arrayContaining([
        'notifications.missing',
        'notifications.duplicated',
        'notifications.live.latency.p99Ms',
        'listeners.backAfterMs',
      ]),
    );
  });

  it('scales the listener gate and the p99 bound with the options', () => {
    const options = optionsOf(listenerStorm, ['--listeners', '50000', '--p99-ms', '800']);
    const gates = gatesOf(listenerStorm, options);
    expect(gates.find((g) => g.metric === resultMetrics.listenersConnected)?.threshold).toBe(50_000);
    expect(gates.find((g) => g.metric === 'notifications.live.latency.p99Ms')?.threshold).toBe(800);
  });

  it('counts as live only what was sent from the steady phase to the guard before the reset', () => {
    const steadyMs = 1_000_000;
    const resetMs = steadyMs + 10_000;
    const at = (ms: number) => ({
      type: 'student.created',
      correlationId: `n@${ms}`,
      intendedSendUs: ms * 1000,
    });
    const expected = [
      at(steadyMs - 1),
      at(steadyMs),
      at(resetMs - liveGuardMs - 1),
      at(resetMs - liveGuardMs),
      at(resetMs + 5),
    ];
    expect(liveWindow(expected, steadyMs, resetMs).map((e) => e.correlationId)).toEqual([
      `n@${steadyMs}`,
      `n@${resetMs - liveGuardMs - 1}`,
    ]);
  });
});
