import { describe, expect, it } from 'vitest';
import type { ScenarioContext } from './context.ts';
import type { Scenario } from '../scenario.ts';
import type { AnnotationLog } from '../exporter/annotations.ts';
import type { LabExporter } from '../exporter/lab-metrics.ts';
import { createPhaseClock } from './phase-clock.ts';
import { runExperiment } from './run-experiment.ts';

function harness(scenario: Scenario) {
  const events: string[] = [];
  const metrics: Record<string, number> = {};
  const controller = new AbortController();
  const clock = createPhaseClock();
  const ctx = {
    options: { durationMs: 1, rate: 1, listeners: 0, seed: 1 },
    signal: controller.signal,
    variant: undefined,
    metric: (name: string, value: number) => void (metrics[name] = value),
    metrics: () => metrics,
    note: (text: string) => events.push(`note ${text}`),
    target: { toxiproxy: { reset: () => Promise.resolve(void events.push('reset')) } },
  } as unknown as ScenarioContext;
  const exporter = { setPhase: () => undefined, setFault: () => undefined } as unknown as LabExporter;
  const annotations = {
    add: (a: { kind: string; name: string; event: string }) => events.push(`${a.kind} ${a.name} ${a.event}`),
  } as unknown as AnnotationLog;
  const run = () =>
    runExperiment(
      { scenario, ctx, clock, exporter, annotations, backgrounds: new Map(), log: () => undefined },
      () => Promise.resolve(),
      () => Promise.resolve(),
    );
  return { events, metrics, clock, run, controller };
}

const fault = (events: string[]) => ({
  name: 'cut',
  phase: 'one',
  atMs: 100,
  description: 'cut it',
  apply: () => Promise.resolve(void events.push(`apply@${Date.now()}`)),
  rollback: () => Promise.resolve(void events.push('rollback')),
});

describe('runExperiment', () => {
  it('applies a fault at its offset into the phase and always rolls it back, even when a phase throws', async () => {
    const events: string[] = [];
    const h = harness({
      name: 'x',
      hypothesis: 'h',
      defaults: { durationMs: 1, rate: 1, listeners: 0, sizing: '' },
      phases: [
        { name: 'one', durationMs: 250 },
        { name: 'two', run: () => Promise.reject(new Error('boom')) },
      ],
      faults: [fault(events)],
      gates: [],
    });
    await expect(h.run()).rejects.toThrow('boom');
    const start = h.clock.startOf('one') ?? 0;
    const applyAt = Number(events.find((e) => e.startsWith('apply@'))?.slice(6));
    expect(applyAt - start).toBeGreaterThanOrEqual(95);
    expect(applyAt - start).toBeLessThan(180);
    expect(events.filter((e) => e === 'rollback')).toHaveLength(1);
    expect(h.events.at(-1)).toBe('reset');
    expect(h.events).toContain('fault cut end');
    expect(h.events).toContain('phase two end');
  });

  it('records steady-state results per moment and refuses to start when it does not hold before', async () => {
    const h = harness({
      name: 'x',
      hypothesis: 'h',
      defaults: { durationMs: 1, rate: 1, listeners: 0, sizing: '' },
      steadyState: [{ name: 'up', probe: () => Promise.resolve({ ok: false, detail: 'down' }) }],
      phases: [{ name: 'one', durationMs: 1 }],
      gates: [],
    });
    await expect(h.run()).rejects.toThrow('steady state does not hold before the experiment: up: down');
    expect(h.metrics['steadyState.before.up']).toBe(0);
    expect(h.clock.phases()).toEqual([]);
  });
});
