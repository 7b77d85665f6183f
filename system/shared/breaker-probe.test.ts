import { describe, expect, it } from 'vitest';
import { startBreakerProbe } from './breaker-probe.ts';
import { createResiliencePolicy } from './resilience-policy.ts';

const silent = { debug: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('breaker probe', () => {
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
    await sleep(110);
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(policy.state()).toBe('open');
    up = true;
    await sleep(110);
    expect(policy.state()).toBe('closed');
    const probesWhenClosed = probes;
    await sleep(100);
    expect(probes).toBe(probesWhenClosed);
    stop();
  });
});
