import { describe, expect, it } from 'vitest';
import { checkHealth } from './health.ts';

describe('checkHealth', () => {
  it('is healthy and ready when every check is', async () => {
    const report = await checkHealth([
      { name: 'db', required: true, check: () => Promise.resolve({ status: 'healthy' }) },
    ]);
    expect(report).toMatchObject({ status: 'healthy', ready: true });
    expect(report.entries[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('is degraded but ready when only an optional dependency fails', async () => {
    const report = await checkHealth([
      { name: 'db', required: true, check: () => Promise.resolve({ status: 'healthy' }) },
      { name: 'redis', required: false, check: () => Promise.reject(new Error('ECONNREFUSED')) },
    ]);
    expect(report).toMatchObject({ status: 'degraded', ready: true });
    expect(report.entries[1]).toMatchObject({ name: 'redis', status: 'unhealthy', error: 'ECONNREFUSED' });
  });

  it('is not ready when a required check hangs past the timeout', async () => {
    const report = await checkHealth(
      [{ name: 'amqp', required: true, check: () => new Promise(() => undefined) }],
      50,
    );
    expect(report).toMatchObject({ status: 'unhealthy', ready: false });
    expect(report.entries[0]!.error).toMatch(/timed out after 50 ms/);
  });
});
