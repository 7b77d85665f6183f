import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseServiceEnvArgs } from './compare/compare-env-args.ts';
import { closest } from './suggest.ts';
import type { AnyScenario, OptionValue, RunOptions } from './scenario.ts';
import type { ServiceEnvs } from './target/target.ts';

export interface RunRequest {
  kind: 'run';
  scenario: AnyScenario;
  options: RunOptions;
  target: 'local' | 'compose';
  outDir: string;
  jsonFile?: string;
  /** `--junit <file>`: the gates (or the compared metrics) as JUnit XML. */
  junitFile?: string;
  enforceGates: boolean;
  /** `--quiet`: no progress line and no log lines, only the verdict (and errors). */
  quiet: boolean;
  /** `--prometheus <url>`: judge the scenario's alert gates on this Prometheus. */
  prometheusUrl?: string;
  /** Set when the run is an A/B comparison instead of one run. */
  comparison?: ComparisonRequest;
}

export interface ComparisonRequest {
  /** `--compare <git-ref>`: the baseline's code; absent: both sides run the working tree. */
  ref?: string;
  rounds: number;
  baselineEnv: ServiceEnvs;
  candidateEnv: ServiceEnvs;
  /** The scenario's own options as given, passed unchanged to every run of both sides. */
  forwardArgs: string[];
  /** `--accept <metric>` (repeatable): regressions the change means to make; they fail nothing. */
  accept: string[];
}

/** Rounds per side when `--rounds` is not given: `smoke` compares in well under 10 minutes here. */
export const defaultCompareRounds = 3;

export type CliRequest =
  | RunRequest
  | { kind: 'help'; text: string }
  | { kind: 'list'; text: string }
  /** Exit 2 with `message`. */
  | { kind: 'error'; message: string };

const commonOptions = {
  target: { type: 'string', default: 'local' },
  duration: { type: 'string' },
  rate: { type: 'string' },
  listeners: { type: 'string' },
  out: { type: 'string', default: 'reports' },
  json: { type: 'string' },
  'no-gates': { type: 'boolean', default: false },
  seed: { type: 'string' },
  junit: { type: 'string' },
  compare: { type: 'string' },
  rounds: { type: 'string' },
  'baseline-env': { type: 'string', multiple: true },
  'candidate-env': { type: 'string', multiple: true },
  accept: { type: 'string', multiple: true },
  prometheus: { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

/** Where a scenario's options are listed, for the end of an error line. */
const helpHint = (scenario: AnyScenario): string =>
  `\n(options: npm run scenario ${scenario.name} -- --help)`;

/** Options that shape where a run's results go or whether it is a comparison: not forwarded to the runs of a comparison. */
const comparisonOwnOptions = new Set([
  'out',
  'json',
  'junit',
  'no-gates',
  'compare',
  'rounds',
  'baseline-env',
  'candidate-env',
  'accept',
  'quiet',
]);

const commonHelp = `Options:
  --target local|compose  local (default): start the fault proxy and the three services here;
                          compose: use a running docker compose stack and its Toxiproxy
  --duration <time>       main load duration, e.g. 30s, 2m, 1500ms (default: the scenario's)
  --rate <n>              requests per second of the fixed-rate load (default: the scenario's)
  --listeners <n>         SSE + Socket.IO listeners, half each (default: the scenario's)
  --out <dir>             reports directory (default reports/)
  --json <file>           also write the result JSON to <file>
  --no-gates              judge and report gates, but exit 0 even when one fails
  --seed <n>              seed for every random choice (default 1)
  --junit <file>          also write the gates (or compared metrics) as JUnit XML
  --compare <git-ref>     A/B: compare the working tree (candidate) with <git-ref> (baseline)
  --baseline-env <svc:VAR=value>, --candidate-env <svc:VAR=value>
                          A/B: extra service environment for one side (repeatable); with only
                          these, both sides run the working tree
  --rounds <n>            A/B: runs per side, interleaved (default ${defaultCompareRounds})
  --accept <metric>       A/B: a regression this change means to make (repeatable): reported,
                          but it does not fail the comparison
  --prometheus <url>      a Prometheus with the lab's rules scraping the services (npm run observe,
                          or the compose stack's): also judge the scenario's alert gates
  -q, --quiet             no progress or log lines on stderr: only the verdict and errors
  -h, --help              this help
Colours (verdicts) only on a terminal, and never with NO_COLOR set.
Exit codes: 0 every gate holds · 1 a gate failed · 2 the run could not be made or was invalid · 130 interrupted.
A/B: 0 nothing regressed · 1 a compared metric regressed · 2 the comparison could not be made or a run was invalid.`;

/** `; did you mean --duration?` when `typed` is a likely typo of one of `names`, else nothing. */
function didYouMean(typed: string, names: readonly string[], prefix = ''): string {
  const match = closest(typed, names);
  return match === undefined ? '' : `; did you mean ${prefix}${match}?`;
}

/** `30s`, `2m`, `1500ms`, `45` (seconds) → milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m?.[1]) return undefined;
  const value = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(unit === 'ms' ? value : unit === 'm' ? value * 60_000 : value * 1000);
}

export function listText(registry: readonly AnyScenario[]): string {
  const width = Math.max(...registry.map((s) => s.name.length));
  return registry.map((s) => `  ${s.name.padEnd(width)}  ${s.hypothesis}`).join('\n');
}

function scenarioHelp(scenario: AnyScenario): string {
  const d = scenario.defaults;
  const entries = Object.entries(scenario.options ?? {}).map(([name, o]) => ({
    flag: `--${name} <${o.type}>`,
    text: `${o.description} (default ${String(o.default)}${o.choices ? `; one of ${o.choices.join(', ')}` : ''})`,
  }));
  // One column for the descriptions, as in the common options above.
  const width = Math.max(0, ...entries.map((e) => e.flag.length));
  const own = entries.map((e) => `  ${e.flag.padEnd(width)}  ${e.text}`);
  return [
    `npm run scenario ${scenario.name} [-- options]`,
    '',
    `Hypothesis: ${scenario.hypothesis}`,
    `Defaults: duration ${d.durationMs / 1000}s, rate ${d.rate}/s, listeners ${d.listeners} — ${d.sizing}`,
    '',
    commonHelp,
    ...(own.length ? ['', `Options of ${scenario.name}:`, ...own] : []),
  ].join('\n');
}

export function generalHelp(registry: readonly AnyScenario[]): string {
  return [
    'usage: npm run scenario <name> [-- options]',
    '       npm run scenario list',
    '       npm run scenario <name> -- --help',
    '',
    'Scenarios:',
    listText(registry),
    '',
    commonHelp,
  ].join('\n');
}

const kebabToCamel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function parseNumber(name: string, text: string | undefined, fallback: number, errors: string[]): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    errors.push(`--${name} must be a non-negative number, got "${text}"`);
  return value;
}

/** Parses `argv` (after `lab/cli.ts`) against the registry; never exits, never throws. */
export function parseCliArgs(argv: readonly string[], registry: readonly AnyScenario[]): CliRequest {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help')
    return { kind: 'help', text: generalHelp(registry) };
  if (first === 'list') return { kind: 'list', text: listText(registry) };
  const scenario = registry.find((s) => s.name === first);
  if (!scenario) {
    return {
      kind: 'error',
      message: `unknown scenario "${first}"${
        didYouMean(
          first,
          registry.map((r) => r.name),
        ) || `; scenarios: ${registry.map((r) => r.name).join(', ')}`
      }`,
    };
  }
  const own: ParseArgsConfig['options'] = {};
  for (const [name, o] of Object.entries(scenario.options ?? {}))
    own[name] = { type: o.type === 'boolean' ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: { ...commonOptions, ...own },
      strict: true,
      allowPositionals: false,
    }) as {
      values: Record<string, string | boolean | string[] | undefined>;
    });
  } catch (error) {
    // One line naming the option, with the closest real one, and where the options are listed.
    const typed = /'--([^']+)'/.exec((error as Error).message)?.[1];
    const known = [...Object.keys(commonOptions), ...Object.keys(own)];
    const hint = typed === undefined ? '' : didYouMean(typed, known, '--');
    return {
      kind: 'error',
      message: `${(error as Error).message}${hint}${helpHint(scenario)}`,
    };
  }
  if (values.help) return { kind: 'help', text: scenarioHelp(scenario) };
  return resolveRun(scenario, values, rest);
}

/** `args` without the options that belong to the comparison itself (both `--x v` and `--x=v`). */
function forwardedArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const name = arg.startsWith('--') ? (arg.slice(2).split('=')[0] ?? '') : '';
    if (!comparisonOwnOptions.has(name)) {
      out.push(arg);
      continue;
    }
    const takesValue = name !== 'no-gates' && name !== 'quiet' && !arg.includes('=');
    if (takesValue) i += 1;
  }
  return out;
}

function resolveComparison(
  scenario: AnyScenario,
  values: Record<string, string | boolean | string[] | undefined>,
  args: readonly string[],
  errors: string[],
): ComparisonRequest | undefined {
  const baselineValues = (values['baseline-env'] as string[] | undefined) ?? [];
  const candidateValues = (values['candidate-env'] as string[] | undefined) ?? [];
  const ref = typeof values.compare === 'string' ? values.compare : undefined;
  if (ref === undefined && baselineValues.length === 0 && candidateValues.length === 0) {
    if (values.rounds !== undefined)
      errors.push('--rounds only applies to a comparison (--compare, --baseline-env or --candidate-env)');
    if (values.accept !== undefined)
      errors.push('--accept only applies to a comparison (--compare, --baseline-env or --candidate-env)');
    return undefined;
  }
  if (ref !== undefined && ref.trim() === '') errors.push('--compare needs a git ref, e.g. --compare main');
  const baseline = parseServiceEnvArgs('baseline-env', baselineValues);
  const candidate = parseServiceEnvArgs('candidate-env', candidateValues);
  errors.push(...baseline.errors, ...candidate.errors);
  let rounds = defaultCompareRounds;
  if (typeof values.rounds === 'string') {
    rounds = Number(values.rounds);
    if (!Number.isInteger(rounds) || rounds < 1)
      errors.push(`--rounds must be a whole number of at least 1, got "${values.rounds}"`);
  }
  if (!scenario.compare?.length) errors.push(`scenario ${scenario.name} declares no metrics to compare`);
  const compared = (scenario.compare ?? []).map((c) => c.metric);
  const accept = (values.accept as string[] | undefined) ?? [];
  for (const metric of accept)
    if (!compared.includes(metric))
      errors.push(
        `--accept ${metric}: ${scenario.name} does not compare it${didYouMean(metric, compared) || `; it compares ${compared.join(', ')}`}`,
      );
  return {
    ...(ref !== undefined ? { ref } : {}),
    rounds,
    baselineEnv: baseline.env,
    candidateEnv: candidate.env,
    forwardArgs: forwardedArgs(args),
    accept,
  };
}

function resolveRun(
  scenario: AnyScenario,
  values: Record<string, string | boolean | string[] | undefined>,
  args: readonly string[],
): CliRequest {
  const errors: string[] = [];
  const comparison = resolveComparison(scenario, values, args, errors);
  const target = values.target as string;
  if (target !== 'local' && target !== 'compose')
    errors.push(`--target must be local or compose, got "${target}"`);
  let durationMs = scenario.defaults.durationMs;
  if (typeof values.duration === 'string') {
    const parsed = parseDuration(values.duration);
    if (parsed === undefined || parsed <= 0)
      errors.push(`--duration must look like 30s, 2m or 1500ms, got "${values.duration}"`);
    else durationMs = parsed;
  }
  const options: RunOptions = {
    durationMs,
    rate: parseNumber('rate', values.rate as string | undefined, scenario.defaults.rate, errors),
    listeners: Math.round(
      parseNumber('listeners', values.listeners as string | undefined, scenario.defaults.listeners, errors),
    ),
    seed: Math.round(parseNumber('seed', values.seed as string | undefined, 1, errors)),
  };
  for (const [name, o] of Object.entries(scenario.options ?? {})) {
    const raw = values[name];
    let value: OptionValue = o.default;
    if (o.type === 'boolean' && typeof raw === 'boolean') value = raw;
    else if (o.type === 'number' && typeof raw === 'string')
      value = parseNumber(name, raw, Number(o.default), errors);
    else if (o.type === 'string' && typeof raw === 'string') {
      if (o.choices && !o.choices.includes(raw))
        errors.push(`--${name} must be one of ${o.choices.join(', ')}, got "${raw}"`);
      value = raw;
    }
    options[kebabToCamel(name)] = value;
  }
  const prometheus = values.prometheus as string | undefined;
  if (
    prometheus !== undefined &&
    !(URL.canParse(prometheus) && /^https?:$/.test(new URL(prometheus).protocol))
  )
    errors.push(`--prometheus must be an http(s) URL, e.g. http://127.0.0.1:9090, got "${prometheus}"`);
  if (errors.length) return { kind: 'error', message: `${errors.join('\n')}${helpHint(scenario)}` };
  return {
    kind: 'run',
    scenario,
    options,
    target: target as 'local' | 'compose',
    outDir: values.out as string,
    ...(typeof values.json === 'string' ? { jsonFile: values.json } : {}),
    ...(typeof values.junit === 'string' ? { junitFile: values.junit } : {}),
    enforceGates: values['no-gates'] !== true,
    quiet: values.quiet === true,
    ...(prometheus !== undefined ? { prometheusUrl: prometheus.replace(/\/+$/, '') } : {}),
    ...(comparison ? { comparison } : {}),
  };
}
