import { describe, expect, it } from 'vitest';
import { dispatch } from './event-lab-commands.ts';

describe('the event-lab command', () => {
  it('runs a scenario through the scenario CLI with the user’s arguments unchanged', () => {
    const action = dispatch(['run', 'smoke', '--rounds', '3']);
    expect(action).toMatchObject({ kind: 'run', args: ['smoke', '--rounds', '3'] });
    expect(action.kind === 'run' && action.entry.pathname).toMatch(/\/lab\/cli\.ts$/);
  });

  it('lists scenarios through the same CLI', () => {
    expect(dispatch(['list'])).toMatchObject({ kind: 'run', args: ['list'] });
  });

  it('prints aligned usage for no command or --help, and the version', () => {
    const help = dispatch([]);
    expect(help.kind).toBe('print');
    const lines = help.kind === 'print' ? help.text.split('\n').filter((l) => l.startsWith('  ')) : [];
    expect(lines.length).toBeGreaterThan(5);
    // every description starts in the same column
    const columns = lines.map((l) => (/^ {2}\S.*?\s{2,}(?=\S)/.exec(l)?.[0] ?? '').length);
    expect(new Set(columns).size).toBe(1);
    expect(dispatch(['--help'])).toEqual(help);
    const version = dispatch(['--version']);
    expect(version.kind === 'print' && version.text).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers an unknown command in one line, with the command meant', () => {
    const action = dispatch(['rn', 'smoke']);
    expect(action).toEqual({
      kind: 'error',
      message: 'event-lab: unknown command "rn"; did you mean "run"? (event-lab --help lists them)',
    });
  });
});
