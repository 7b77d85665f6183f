// `npm run calibrate -- [--self N] [--worse N] [--rounds R] [--scenario smoke] [--out dir]`
// Measures the comparison's own quality: how often a build compared with itself is called a
// regression (false alarms), and how often a deliberately worse configuration is caught. Runs the
// comparisons one after another (alternating self and worse), and writes every verdict to
// `<out>/calibration.json` as it goes, so an interrupted calibration keeps what it measured.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseComparisonReport } from './compare-schema.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    self: { type: 'string', default: '20' },
    worse: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    scenario: { type: 'string', default: 'smoke' },
    'worse-env': { type: 'string', default: 'api:DEDUPE_MODE=coalesce' },
    out: { type: 'string', default: 'reports/calibration' },
  },
});
const counts = { self: Number(values.self), worse: Number(values.worse) };
for (const [name, n] of Object.entries(counts))
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${n}`);

type Kind = 'self' | 'worse';
interface Trial {
  kind: Kind;
  verdict: string;
  exitCode: number | null;
  regressed: string[];
  seconds: number;
}

const argsFor = (kind: Kind, outDir: string): string[] => [
  '--import',
  'tsx',
  'lab/cli.ts',
  values.scenario,
  ...(kind === 'self' ? ['--compare', 'HEAD'] : ['--candidate-env', values['worse-env']]),
  '--rounds',
  values.rounds,
  '--out',
  outDir,
];

async function compareOnce(kind: Kind, index: number): Promise<Trial> {
  const outDir = path.join(values.out, `${kind}-${index}`);
  const started = Date.now();
  const exitCode = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, argsFor(kind, outDir), { cwd: repoRoot, stdio: 'ignore' });
    child.on('close', resolve);
  });
  const report = parseComparisonReport(
    JSON.parse(await readFile(path.join(outDir, values.scenario, 'compare-latest.json'), 'utf8')),
  );
  return {
    kind,
    verdict: report.verdict,
    exitCode,
    regressed: report.metrics.filter((m) => m.verdict === 'regression').map((m) => m.metric),
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

function summary(trials: readonly Trial[]) {
  const of = (kind: Kind) => trials.filter((t) => t.kind === kind);
  const self = of('self');
  const worse = of('worse');
  return {
    scenario: values.scenario,
    rounds: Number(values.rounds),
    worseEnv: values['worse-env'],
    self: { comparisons: self.length, regressions: self.filter((t) => t.verdict === 'regression').length },
    worse: { comparisons: worse.length, caught: worse.filter((t) => t.verdict === 'regression').length },
    trials,
  };
}

await mkdir(values.out, { recursive: true });
const trials: Trial[] = [];
const plan: Kind[] = [];
for (let i = 0; i < Math.max(counts.self, counts.worse); i++) {
  if (i < counts.self) plan.push('self');
  if (i < counts.worse) plan.push('worse');
}
for (const [i, kind] of plan.entries()) {
  const trial = await compareOnce(kind, i + 1);
  trials.push(trial);
  await writeFile(path.join(values.out, 'calibration.json'), `${JSON.stringify(summary(trials), null, 2)}\n`);
  process.stderr.write(
    `[calibrate] ${i + 1}/${plan.length} ${kind}: ${trial.verdict}${trial.regressed.length ? ` (${trial.regressed.join(', ')})` : ''}, ${trial.seconds} s\n`,
  );
}
const { self, worse } = summary(trials);
process.stdout.write(
  `self: ${self.regressions} of ${self.comparisons} called a regression; worse: ${worse.caught} of ${worse.comparisons} caught\n`,
);
