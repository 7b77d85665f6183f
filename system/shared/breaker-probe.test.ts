import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startBreakerProbe } from './breaker-probe.ts';
import { createResiliencePolicy } from './resilience-policy.ts';

const silent = { debug: () => undefined };

describe('breaker probe', () => {
  // Fake timers: the half-open delay and the probe's schedule are exact, so the test cannot race
  // a real sleep on a busy machine.
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes an open breaker once the dependency answers, with no caller making a request', async () => {
    const policy = createResiliencePolicy({
      name: 'dep',
      timeoutMs: 100,
      maxRetries: 0,
      initialDelayMs: 1,
      maxDelayMs: 1,
      consecutiveFailures: 1,
      halfOpenAfterMs: 40,
    });
    let up = false;
    let probes = 0;
    const stop = startBreakerProbe({
      policy,
      halfOpenAfterMs: 40,
      logger: silent,
      probe: () => (probes++, up ? Promise.resolve() : Promise.reject(new Error('down'))),
    });
    await expect(policy.execute(() => Promise.reject(new Error('down')))).rejects.toThrow();
    expect(policy.state()).toBe('open');

    // Before the half-open delay nothing probes; after it, a failing probe keeps it open.
    await vi.advanceTimersByTimeAsync(30);
    expect(probes).toBe(0);
    await vi.advanceTimersByTimeAsync(20);
    expect(probes).toBe(1);
    expect(policy.state()).toBe('open');

    // The failed probe opened it again, which scheduled the next probe: that one succeeds.
    up = true;
    await vi.advanceTimersByTimeAsync(50);
    expect(policy.state()).toBe('closed');
    const probesWhenClosed = probes;
    await vi.advanceTimersByTimeAsync(500);
    expect(probes).toBe(probesWhenClosed);
    stop();
  });

  it('tries again when its timer fires before the breaker lets a trial through', async () => {
    // The probe's delay is shorter than the breaker's half-open delay, as when a timer fires early.
    const policy = createResiliencePolicy({
      name: 'dep',
      timeoutMs: 100,
      maxRetries: 0,
      initialDelayMs: 1,
      maxDelayMs: 1,
      consecutiveFailures: 1,
      halfOpenAfterMs: 40,
    });
    let probes = 0;
    const stop = startBreakerProbe({
      policy,
      halfOpenAfterMs: 30,
      logger: silent,
      probe: () => (probes++, Promise.resolve()),
    });
    await expect(policy.execute(() => Promise.reject(new Error('down')))).rejects.toThrow();
    await vi.advanceTimersByTimeAsync(35);
    // Refused without a trial (still open), so the dependency was not called.
    expect(probes).toBe(0);
    expect(policy.state()).toBe('open');
    await vi.advanceTimersByTimeAsync(100);
    expect(probes).toBe(1);
    expect(policy.state()).toBe('closed');
    stop();
  });
});
