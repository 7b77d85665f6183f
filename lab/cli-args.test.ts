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

  it('rejects an unknown scenario in one line naming the known ones', () => {
    const r = parseCliArgs(['nope'], [demo]);
    expect(r).toMatchObject({ kind: 'error' });
    expect(r.kind === 'error' && r.message).toBe('unknown scenario "nope"; scenarios: demo');
  });

  it('answers a typo in one line with the option it meant and where the options are', () => {
    const r = parseCliArgs(['demo', '--rouns', '3'], [demo]);
    expect(r.kind === 'error' && r.message.split('\n')).toHaveLength(2);
    expect(r.kind === 'error' && r.message).toContain('--rounds');
    expect(r.kind === 'error' && r.message).toContain('npm run scenario demo -- --help');
  });

  it('takes --quiet (and -q)', () => {
    expect(parseCliArgs(['demo', '--quiet'], [demo])).toMatchObject({ kind: 'run', quiet: true });
    expect(parseCliArgs(['demo', '-q'], [demo])).toMatchObject({ kind: 'run', quiet: true });
    expect(parseCliArgs(['demo'], [demo])).toMatchObject({ kind: 'run', quiet: false });
  });

  it('rejects unknown options, bad values and choices, naming each', () => {
    const unknown = parseCliArgs(['demo', '--wat'], [demo]);
    expect(unknown.kind === 'error' && unknown.message).toContain("'--wat'");
    const typo = parseCliArgs(['demo', '--durration', '5s'], [demo]);
    expect(typo.kind === 'error' && typo.message.split('\n')[0]).toMatch(
      /'--durration'.*did you mean --duration\?/,
    );
    const scenarioTypo = parseCliArgs(['dmeo'], [demo]);
    expect(scenarioTypo.kind === 'error' && scenarioTypo.message).toContain(
      'unknown scenario "dmeo"; did you mean demo?',
    );
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

describe('comparison options', () => {
  const registry = [
    defineScenario({
      name: 'demo',
      hypothesis: 'h',
      defaults: { durationMs: 1000, rate: 1, listeners: 0, sizing: 's' },
      options: { 'wave-size': { type: 'number', default: 5, description: 'd' } },
      phases: [],
      gates: [],
      compare: [{ metric: 'dedupe.hitRate', direction: 'higher', tolerance: 0.05 }],
    }),
  ];

  it('turns --compare, --rounds and the side env into a comparison, forwarding only the run options', () => {
    const request = parseCliArgs(
      [
        'demo',
        '--compare',
        'HEAD~1',
        '--rounds=4',
        '--candidate-env',
        'api:DEDUPE_MODE=coalesce',
        '--wave-size',
        '9',
        '--out',
        'x',
        '--no-gates',
      ],
      registry,
    );
    expect(request).toMatchObject({
      kind: 'run',
      comparison: {
        ref: 'HEAD~1',
        rounds: 4,
        baselineEnv: {},
        candidateEnv: { api: { DEDUPE_MODE: 'coalesce' } },
        forwardArgs: ['--wave-size', '9'],
      },
    });
  });

  it('names the bad option: malformed env, rounds without a comparison, a scenario with nothing to compare', () => {
    const bad = parseCliArgs(['demo', '--baseline-env', 'api=1', '--rounds', '0'], registry);
    expect(bad.kind === 'error' && bad.message).toMatch(
      /--baseline-env must look like <service>:<VAR>=<value>/,
    );
    expect(bad.kind === 'error' && bad.message).toMatch(/--rounds must be a whole number/);
    const lone = parseCliArgs(['demo', '--rounds', '3'], registry);
    expect(lone.kind === 'error' && lone.message).toMatch(/--rounds only applies to a comparison/);
    const none = parseCliArgs(['demo', '--compare', 'main'], [{ ...registry[0]!, compare: [] }]);
    expect(none.kind === 'error' && none.message).toMatch(/declares no metrics to compare/);
  });
});

describe('accepting a regression the change means to make', () => {
  const comparing = {
    ...demo,
    compare: [{ metric: 'demo.value', direction: 'lower' as const, tolerance: 0 }],
  };

  it('takes --accept for a compared metric, in a comparison only', () => {
    expect(parseCliArgs(['demo', '--compare', 'main', '--accept', 'demo.value'], [comparing])).toMatchObject({
      kind: 'run',
      comparison: { accept: ['demo.value'] },
    });
    const single = parseCliArgs(['demo', '--accept', 'demo.value'], [comparing]);
    expect(single.kind === 'error' && single.message).toContain('--accept only applies to a comparison');
  });

  it('names a metric the scenario does not compare, with the one it meant', () => {
    const r = parseCliArgs(['demo', '--compare', 'main', '--accept', 'demo.valeu'], [comparing]);
    expect(r.kind === 'error' && r.message).toContain(
      '--accept demo.valeu: demo does not compare it; did you mean demo.value?',
    );
  });
});
