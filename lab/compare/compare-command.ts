import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ComparisonRequest } from '../cli-args.ts';
import { labResultSchema } from '../report/result-schema.ts';
import type { AnyScenario } from '../scenario.ts';
import type { ServiceEnvs } from '../target/target.ts';
import { prepareBaselineWorktree } from './baseline-worktree.ts';
import { envForReport } from './compare-env-args.ts';
import { writeComparison, type WrittenComparison } from './compare-output.ts';
import { appendStepSummary, renderCompareMarkdown } from './compare-report.ts';
import { runComparison, type ScenarioResultLike, type Side } from './compare-rounds.ts';
import type { ComparisonReport } from './compare-schema.ts';
import { exitCodeFor } from './compare-verdict.ts';
import { junitFromComparison } from './junit-report.ts';

export interface CompareCommandOptions {
  scenario: AnyScenario;
  comparison: ComparisonRequest;
  /** The working tree: the candidate's code, and the repository the baseline ref is read from. */
  repoRoot: string;
  /** Reports root (`--out`). */
  outDir: string;
  junitFile?: string;
  signal: AbortSignal;
  log: (line: string) => void;
  /** One run of one side; default: `lab/cli.ts` of that side's tree in a child process. */
  runOnce?: (run: SideRun) => Promise<ScenarioResultLike>;
}

/** Everything one run of one side needs. */
export interface SideRun {
  side: Side;
  round: number;
  /** The tree whose code runs (the working tree, or the baseline's worktree). */
  dir: string;
  scenario: string;
  args: readonly string[];
  env: ServiceEnvs;
  /** Where the run's result JSON, reports and output go. */
  workDir: string;
  signal: AbortSignal;
}

export interface CompareCommandOutcome {
  exitCode: 0 | 1 | 2;
  report: ComparisonReport;
  written: WrittenComparison;
}

/**
 * Runs `scenario` in a child process from `run.dir` (so a baseline ref runs its own code, and
 * both sides pay the same process start-up), with the side's service environment in
 * `LAB_SERVICE_ENV`, and reads the result JSON it writes. Its gates never decide the exit code
 * (`--no-gates`): a comparison asks about change, not about thresholds.
 */
export async function runSideInChild(run: SideRun): Promise<ScenarioResultLike> {
  await mkdir(run.workDir, { recursive: true });
  const jsonFile = path.join(run.workDir, 'result.json');
  await rm(jsonFile, { force: true });
  const logFile = path.join(run.workDir, 'run.log');
  const output = createWriteStream(logFile);
  const args = ['--import', 'tsx', 'lab/cli.ts', run.scenario, ...run.args];
  args.push('--no-gates', '--out', path.join(run.workDir, 'reports'), '--json', jsonFile);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: run.dir,
      env: { ...process.env, LAB_SERVICE_ENV: JSON.stringify(run.env) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(output, { end: false });
    child.stderr.pipe(output, { end: false });
    const stop = (): void => void child.kill('SIGINT');
    run.signal.addEventListener('abort', stop, { once: true });
    child.on('error', reject);
    child.on('close', (exitCode) => {
      run.signal.removeEventListener('abort', stop);
      output.end();
      resolve(exitCode);
    });
  });
  const text = await readFile(jsonFile, 'utf8').catch(() => undefined);
  if (text === undefined) throw new Error(`the run exited ${code} without a result (its output: ${logFile})`);
  const result = labResultSchema.parse(JSON.parse(text));
  return {
    valid: result.valid,
    ...(result.invalidReason !== undefined ? { invalidReason: result.invalidReason } : {}),
    metrics: result.metrics,
  };
}

/**
 * `--compare <ref>` / `--baseline-env` / `--candidate-env`: prepares the baseline tree, runs both
 * sides in interleaved rounds, judges every metric the scenario declares in `compare`, and writes
 * `compare-latest.json` and `.md` (plus the job summary and JUnit XML when asked).
 */
export async function runCompareCommand(options: CompareCommandOptions): Promise<CompareCommandOutcome> {
  const { scenario, comparison, log } = options;
  const baselineTree = comparison.ref
    ? await prepareBaselineWorktree({ repoRoot: options.repoRoot, ref: comparison.ref, log })
    : undefined;
  const dirs: Record<Side, string> = {
    baseline: baselineTree?.dir ?? options.repoRoot,
    candidate: options.repoRoot,
  };
  const envs: Record<Side, ServiceEnvs> = {
    baseline: comparison.baselineEnv,
    candidate: comparison.candidateEnv,
  };
  const runsDir = path.resolve(options.outDir, scenario.name, 'compare-runs');
  const runOnce = options.runOnce ?? runSideInChild;
  const startedMs = Date.now();
  const report = await runComparison({
    scenario: scenario.name,
    rounds: comparison.rounds,
    metrics: scenario.compare ?? [],
    baseline: {
      ref: comparison.ref ?? 'working tree',
      ...(baselineTree ? { sha: baselineTree.sha } : {}),
      env: envForReport(comparison.baselineEnv),
    },
    candidate: { ref: 'working tree', env: envForReport(comparison.candidateEnv) },
    signal: options.signal,
    accept: comparison.accept,
    runSide: (side, round) =>
      runOnce({
        side,
        round,
        dir: dirs[side],
        scenario: scenario.name,
        args: comparison.forwardArgs,
        env: envs[side],
        workDir: path.join(runsDir, `${side}-${round + 1}`),
        signal: options.signal,
      }),
    onProgress(event) {
      const elapsed = `${Math.round((Date.now() - startedMs) / 1000)} s`;
      if (event.type === 'run-started')
        log(`[compare] run ${event.run}/${event.runs}: ${event.side} round ${event.round + 1} (${elapsed})`);
      else if (event.type === 'run-finished' && !event.valid)
        log(`[compare] ${event.side} round ${event.round + 1} is not usable`);
      else if (event.type === 'stopped') log(`[compare] stopped: ${event.reason}`);
    },
  });
  const written = await writeComparison(report, { outDir: path.resolve(options.outDir) });
  if (process.env.GITHUB_STEP_SUMMARY)
    await appendStepSummary(renderCompareMarkdown(report), process.env.GITHUB_STEP_SUMMARY);
  if (options.junitFile) await writeFile(options.junitFile, junitFromComparison(report));
  return { exitCode: exitCodeFor(report.verdict), report, written };
}

/** The lines the CLI prints after a comparison: the verdict and one line per metric. */
export function comparisonSummary(report: ComparisonReport): string {
  const lines = [`${report.verdict.toUpperCase()}${report.invalidReason ? `: ${report.invalidReason}` : ''}`];
  for (const m of report.metrics) {
    const change =
      m.ratio !== null ? `×${m.ratio.toPrecision(3)}` : `${m.difference >= 0 ? '+' : ''}${m.difference}`;
    lines.push(
      `  ${(m.accepted ? 'accepted' : m.verdict).padEnd(12)} ${m.metric}: ${m.baseline.median} → ${m.candidate.median} (${change}, ${m.exact ? 'exact' : `95 % [${m.ci95.map((v) => v.toPrecision(3)).join(', ')}]`})`,
    );
  }
  return lines.join('\n');
}
