import { describe, expect, it } from 'vitest';
import { createServiceMetrics, perConnectionDefaultMetrics } from './metrics.ts';

const namesOf = async (text: Promise<string>): Promise<Set<string>> =>
  new Set(
    (await text)
      .split('\n')
      .filter((line) => line.startsWith('# TYPE '))
      .map((line) => line.split(' ')[2] ?? ''),
  );

describe('service metrics', () => {
  it('keeps every default process metric unless told to leave out the per-connection ones', async () => {
    const names = await namesOf(createServiceMetrics('api').registry.metrics());
    for (const name of perConnectionDefaultMetrics) expect(names).toContain(name);
  });

  it('leaves out the metrics whose scrape walks every connection, and keeps memory and CPU', async () => {
    const names = await namesOf(
      createServiceMetrics('notifications', { perConnectionMetrics: false }).registry.metrics(),
    );
    for (const name of perConnectionDefaultMetrics) expect(names).not.toContain(name);
    expect(names).toContain('process_resident_memory_bytes');
    expect(names).toContain('process_cpu_seconds_total');
    expect(names).toContain('nodejs_eventloop_lag_p99_seconds');
  });
});
