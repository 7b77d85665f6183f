import { describe, expect, it } from 'vitest';
import { createPhaseClock } from './phase-clock.ts';

describe('createPhaseClock', () => {
  it('files an instant under the phase that was running then', () => {
    const clock = createPhaseClock();
    expect(clock.current()).toBe('setup');
    clock.begin('a', 1000);
    clock.end('a', 2000);
    clock.begin('b', 2000);
    expect(clock.current()).toBe('b');
    clock.end('b', 3000);
    expect(clock.phaseAt(500)).toBe('setup');
    expect(clock.phaseAt(1000)).toBe('a');
    expect(clock.phaseAt(1999)).toBe('a');
    expect(clock.phaseAt(2000)).toBe('b');
    expect(clock.phaseAt(3500)).toBe('collect');
    expect(clock.startOf('b')).toBe(2000);
  });

  it('keeps fault apply and rollback times', () => {
    const clock = createPhaseClock();
    const f = clock.fault('cut', 'rabbitmq down');
    f.appliedMs = 10;
    f.rolledBackMs = 20;
    expect(clock.faultTimes('cut')).toEqual({ appliedMs: 10, rolledBackMs: 20 });
    expect(clock.faultTimes('other')).toEqual({});
  });
});
