import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { migrateWithRetry } from './migrate.ts';

const logger = { info: () => undefined, warn: () => undefined };
const databaseUrl = 'postgres://db.invalid/lab';

describe('migrateWithRetry', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('retries failed runs with backoff until one succeeds', async () => {
    let calls = 0;
    const run = () => (++calls < 3 ? Promise.reject(new Error('not up yet')) : Promise.resolve());
    const done = migrateWithRetry({ databaseUrl, logger, run });
    await vi.runAllTimersAsync();
    await expect(done).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });

  it('throws the last error after maxAttempts', async () => {
    let calls = 0;
    const run = () => Promise.reject(new Error(`failure ${++calls}`));
    const done = migrateWithRetry({ databaseUrl, logger, run, maxAttempts: 4 });
    const outcome = expect(done).rejects.toThrow('failure 4');
    await vi.runAllTimersAsync();
    await outcome;
    expect(calls).toBe(4);
  });
});
