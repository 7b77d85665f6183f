import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setTimeoutAt } from './due-timer.ts';
import { findToxicDefinition } from './registry.ts';
import { createReleaseQueue } from './release-queue.ts';

/**
 * The toxics' clock is injected and runs behind Node's timers, as a high-resolution clock does
 * when libuv fires a timer from its cached loop time: every timer wakes up before the clock says
 * the time has come.
 */
function laggingClock(lagMs: number) {
  const start = Date.now();
  return () => Date.now() - start - lagMs;
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('setTimeoutAt', () => {
  it('re-arms instead of firing when the timer wakes before the due time', () => {
    const now = laggingClock(0.6);
    const fired: number[] = [];
    setTimeoutAt(40, now, () => fired.push(now()));
    vi.advanceTimersByTime(40);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(40);
  });

  it('never fires synchronously, even when already due', () => {
    const fired: string[] = [];
    setTimeoutAt(-5, laggingClock(0), () => fired.push('fired'));
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(fired).toEqual(['fired']);
  });

  it('waits out delays longer than a Node timer can hold, in steps', () => {
    const fired: string[] = [];
    setTimeoutAt(2 ** 31 + 10, laggingClock(0), () => fired.push('fired'));
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(11);
    expect(fired).toEqual(['fired']);
  });

  it('does not fire once cancelled', () => {
    const fired: string[] = [];
    const cancel = setTimeoutAt(10, laggingClock(0), () => fired.push('fired'));
    cancel();
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([]);
  });
});

describe('time-based toxics on a clock that trails the timers', () => {
  it('releases a chunk no earlier than its due time by the injected clock', () => {
    // A manual clock that trails the timers by 0.6 ms when they fire.
    let clock = 0;
    const released: number[] = [];
    const out = { push: () => void released.push(clock), end: () => undefined, reset: () => undefined };
    const queue = createReleaseQueue(out, () => clock, { add: () => undefined, remove: () => undefined });
    queue.push(Buffer.from('a'), 40);
    clock = 39.4;
    vi.advanceTimersByTime(40);
    expect(released).toEqual([]);
    clock = 40;
    vi.advanceTimersByTime(1);
    expect(released).toEqual([40]);
  });

  it.each([
    ['slow_close', { delay: 40 }, 'end'],
    ['timeout', { timeout: 40 }, 'write'],
    ['reset_peer', { timeout: 40 }, 'write'],
  ] as const)('%s waits for its due time by the injected clock', (type, attributes, trigger) => {
    let clock = 0;
    const events: number[] = [];
    const out = { push: () => undefined, end: () => void events.push(clock), reset: () => undefined };
    const definition = findToxicDefinition(type)!;
    const stage = definition.createStage(definition.parseAttributes(attributes), {
      out,
      random: () => 0.5,
      now: () => clock,
      state: definition.createState(),
      held: { add: () => undefined, remove: () => undefined },
      closeWithReset: false,
    });
    if (trigger === 'end') stage.end();
    else stage.write(Buffer.from('x'));
    clock = 39.4;
    vi.advanceTimersByTime(40);
    expect(events).toEqual([]);
    clock = 40;
    vi.advanceTimersByTime(1);
    expect(events).toEqual([40]);
  });

  it('accounts every held byte and gives it back on release and on stop', () => {
    let held = 0;
    const counter = { add: (n: number) => void (held += n), remove: (n: number) => void (held -= n) };
    const out = { push: () => undefined, end: () => undefined, reset: () => undefined };
    const queue = createReleaseQueue(out, laggingClock(0), counter);
    queue.push(Buffer.alloc(100), 10);
    queue.push(Buffer.alloc(50), 20);
    expect(held).toBe(150);
    vi.advanceTimersByTime(10);
    expect(held).toBe(50);
    queue.stop(false);
    expect(held).toBe(0);
  });
});
