import { describe, expect, it } from 'vitest';
import { defineScenario } from './scenario.ts';
import { parseCliArgs, parseDuration } from './cli-args.ts';

const demo = defineScenario({
  name: 'demo',
  hypothesis: 'demo holds',
  defaults: { durationMs: 10_000, rate: 5, listeners: 2, sizing: 'tiny' },
  options: {
    'wave-size': { type: 'number', default: 100, description: 'requests per wave' },
    mode: { type: 'string', default: 'cache', description: 'dedupe mode', choices: ['cache', 'coalesce'] },
  },
  phases: [{ name: 'only', durationMs: 1 }],
  gates: [],
});

describe('parseCliArgs', () => {
  it('resolves defaults, common options and scenario options (kebab → camel)', () => {
    const r = parseCliArgs(
      ['demo', '--duration', '2m', '--rate', '50', '--wave-size', '7', '--mode', 'coalesce', '--no-gates'],
      [demo],
    );
    expect(r.kind).toBe('run');
    if (r.kind !== 'run') return;
    expect(r.options).toMatchObject({
      durationMs: 120_000,
      rate: 50,
      listeners: 2,
      seed: 1,
      waveSize: 7,
      mode: 'coalesce',
    });
    expect(r.enforceGates).toBe(false);
    expect(r.target).toBe('local');
    expect(r.outDir).toBe('reports');
  });

  it('rejects an unknown scenario with the list of known ones', () => {
    const r = parseCliArgs(['nope'], [demo]);
    expect(r).toMatchObject({ kind: 'error' });
    expect(r.kind === 'error' && r.message).toContain('unknown scenario "nope"');
    expect(r.kind === 'error' && r.message).toContain('demo  demo holds');
  });

  it('rejects unknown options, bad values and choices, naming each', () => {
    const unknown = parseCliArgs(['demo', '--wat'], [demo]);
    expect(unknown.kind === 'error' && unknown.message).toContain("'--wat'");
    const bad = parseCliArgs(
      ['demo', '--rate', 'fast', '--target', 'k8s', '--mode', 'x', '--duration', '5 hours'],
      [demo],
    );
    expect(bad.kind).toBe('error');
    if (bad.kind !== 'error') return;
    expect(bad.message).toContain('--rate must be a non-negative number, got "fast"');
    expect(bad.message).toContain('--target must be local or compose, got "k8s"');
    expect(bad.message).toContain('--mode must be one of cache, coalesce, got "x"');
    expect(bad.message).toContain('--duration must look like 30s');
  });

  it('answers list and help', () => {
    expect(parseCliArgs(['list'], [demo])).toMatchObject({ kind: 'list' });
    expect(parseCliArgs([], [demo])).toMatchObject({ kind: 'help' });
    const help = parseCliArgs(['demo', '--help'], [demo]);
    expect(help.kind === 'help' && help.text).toContain(
      '--wave-size <number>  requests per wave (default 100)',
    );
  });
});

describe('parseDuration', () => {
  it('reads ms, s (default) and m', () => {
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('2h')).toBeUndefined();
  });
});
