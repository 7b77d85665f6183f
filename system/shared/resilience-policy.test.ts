import { BrokenCircuitError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { createResiliencePolicy, type BreakerTransition } from './resilience-policy.ts';

const fastPolicy = () =>
  createResiliencePolicy({
    name: 'dep',
    timeoutMs: 100,
    maxRetries: 2,
    initialDelayMs: 1,
    maxDelayMs: 5,
    consecutiveFailures: 3,
    halfOpenAfterMs: 50,
  });

describe('resilience policy', () => {
  it('retries a transient failure and succeeds', async () => {
    const policy = fastPolicy();
    let calls = 0;
    const result = await policy.execute(() =>
      ++calls < 2 ? Promise.reject(new Error('blip')) : Promise.resolve('ok'),
    );
    expect(result).toBe('ok');
    expect(calls).toBe(2);
  });

  it('opens after consecutive failures and then fails fast without calling or retrying', async () => {
    const policy = fastPolicy();
    const transitions: BreakerTransition[] = [];
    policy.onTransition((t) => transitions.push(t));
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error('down'));
    };
    await expect(policy.execute(failing)).rejects.toThrow('down');
    expect(calls).toBe(3);
    expect(policy.state()).toBe('open');
    const started = performance.now();
    await expect(policy.execute(failing)).rejects.toThrow(BrokenCircuitError);
    expect(performance.now() - started).toBeLessThan(20);
    expect(calls).toBe(3);
    expect(transitions.map((t) => `${t.from}>${t.to}`)).toEqual(['closed>open']);
    expect(transitions[0]!.reason).toBe('down');
  });

  it('half-opens after the delay and closes on a successful trial', async () => {
    const policy = fastPolicy();
    const seen: string[] = [];
    policy.onTransition((t) => seen.push(t.to));
    await expect(policy.execute(() => Promise.reject(new Error('down')))).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 60));
    await expect(policy.execute(() => Promise.resolve(1))).resolves.toBe(1);
    expect(seen).toEqual(['open', 'half-open', 'closed']);
  });

  it('counts a hung call as a failure through the timeout', async () => {
    const policy = fastPolicy();
    await expect(policy.execute(() => new Promise(() => undefined))).rejects.toThrow();
    expect(policy.state()).toBe('open');
  });

  it('does not retry or count client errors against the dependency', async () => {
    const policy = fastPolicy();
    let calls = 0;
    for (let i = 0; i < 5; i++) {
      await expect(
        policy.execute(() => {
          calls++;
          return Promise.reject(new AppError('not_found'));
        }),
      ).rejects.toThrow(AppError);
    }
    expect(calls).toBe(5);
    expect(policy.state()).toBe('closed');
  });
});
