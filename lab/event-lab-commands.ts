// The `event-lab` command's table: which entry point each command runs (each is also an npm
// script), the usage text, and one-line errors with the command meant.
import { readFileSync } from 'node:fs';
import { closest } from './suggest.ts';

interface Command {
  /** The entry point, relative to this file. */
  entry: string;
  /** Arguments the entry point gets before the user's. */
  prefix?: string[];
  /** What follows the command's name, for the usage text. */
  args?: string;
  summary: string;
}

const commands: Record<string, Command> = {
  run: {
    entry: './cli.ts',
    args: '<scenario> [options]',
    summary: 'one scenario, or an A/B comparison (--compare)',
  },
  list: { entry: './cli.ts', prefix: ['list'], summary: 'the scenarios and what each one tests' },
  report: { entry: './report/report-main.ts', summary: 'regenerate REPORT.md from every latest result' },
  calibrate: {
    entry: './compare/calibrate-main.ts',
    args: '[--self N --worse N]',
    summary: 'how often a comparison is wrong',
  },
  observe: {
    entry: './observe/observe-main.ts',
    summary: 'Prometheus with the lab’s rules, scraping the services',
  },
  toxiproxy: {
    entry: './faults/toxiproxy-server-main.ts',
    args: '[--shards N]',
    summary: 'the embedded fault proxy',
  },
  'bench:listeners': { entry: './bench/listeners-bench.ts', summary: 'notification fan-out benchmark' },
  'bench:floor': {
    entry: './bench/fanout-floor.ts',
    summary: 'the least fan-out latency this machine allows (plain TCP)',
  },
  'bench:api': { entry: './bench/api-bench.ts', summary: 'API benchmark' },
  'bench:worker': { entry: './bench/worker-bench.ts', summary: 'worker benchmark' },
};

function usage(): string {
  const heads = Object.entries(commands).map(([name, c]) => (c.args ? `${name} ${c.args}` : name));
  const width = Math.max(...heads.map((h) => h.length));
  return [
    'usage: event-lab <command> [options]',
    '',
    'Commands:',
    ...Object.values(commands).map((c, i) => `  ${(heads[i] ?? '').padEnd(width)}  ${c.summary}`),
    '',
    'event-lab run <scenario> --help lists a scenario’s options; event-lab --version prints the version.',
    'Exit codes: 0 ok · 1 a gate failed or a metric regressed · 2 the run could not be made · 130 interrupted',
  ].join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** What to do with `argv` (after the program name): print, fail, or run an entry point. */
export type Dispatch =
  | { kind: 'print'; text: string }
  | { kind: 'error'; message: string }
  | { kind: 'run'; entry: URL; args: string[] };

export function dispatch(argv: readonly string[]): Dispatch {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h')
    return { kind: 'print', text: usage() };
  if (name === '--version' || name === '-v') return { kind: 'print', text: version() };
  const command = commands[name];
  if (!command) {
    const near = closest(name, Object.keys(commands));
    return {
      kind: 'error',
      message: `event-lab: unknown command "${name}"${near ? `; did you mean "${near}"?` : ''} (event-lab --help lists them)`,
    };
  }
  return {
    kind: 'run',
    entry: new URL(command.entry, import.meta.url),
    args: [...(command.prefix ?? []), ...rest],
  };
}
