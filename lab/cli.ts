// `npm run scenario <name> [-- options]`: runs one scenario and exits 0 (every gate holds),
// 1 (a gate failed), 2 (the run could not be made, or was invalid) or 130 (interrupted).
// With `--compare <ref>`, `--baseline-env` or `--candidate-env` it compares two builds or
// configurations instead: 0 nothing regressed, 1 a metric regressed, 2 no comparison could be made.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { scenarios } from '../scenarios/index.ts';
import { parseCliArgs } from './cli-args.ts';
import { comparisonSummary, runCompareCommand } from './compare/compare-command.ts';
import { isBaselineRefError } from './compare/baseline-worktree.ts';
import { junitFromResult } from './compare/junit-report.ts';
import { runScenario } from './run-scenario.ts';
import { serviceEnvFromJson } from './target/service-env.ts';
import { colourEnabled, colourVerdicts } from './terminal-style.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const request = parseCliArgs(process.argv.slice(2), scenarios);

if (request.kind === 'help' || request.kind === 'list') {
  process.stdout.write(`${request.text}\n`);
  process.exit(0);
}
if (request.kind === 'error') {
  process.stderr.write(`scenario: ${request.message}\n`);
  process.exit(2);
}

const controller = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  signals += 1;
  if (signals === 1) {
    process.stderr.write(
      `\n${signal}: stopping the run, rolling back faults and stopping services (again to force)\n`,
    );
    controller.abort();
    // Teardown is bounded (SIGKILL after 10 s per service); never hang forever.
    setTimeout(() => process.exit(130), 30_000).unref();
  } else {
    // Children hold an IPC channel to us and exit when it closes.
    process.exit(130);
  }
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('uncaughtException', (error) => {
  process.stderr.write(`scenario: unexpected error: ${error.stack ?? error.message}\n`);
  controller.abort();
  setTimeout(() => process.exit(2), 15_000).unref();
});

const log = request.quiet ? () => undefined : (line: string): void => void process.stderr.write(`${line}\n`);
/** The verdict goes to stdout when all is well, to stderr otherwise; verdict words coloured on a terminal. */
const verdict = (exitCode: number, text: string): void => {
  const stream = exitCode === 0 ? process.stdout : process.stderr;
  stream.write(`${colourVerdicts(text, colourEnabled(stream))}\n`);
};
if (request.comparison) {
  try {
    const outcome = await runCompareCommand({
      scenario: request.scenario,
      comparison: request.comparison,
      repoRoot,
      outDir: request.outDir,
      ...(request.junitFile ? { junitFile: request.junitFile } : {}),
      signal: controller.signal,
      log,
    });
    verdict(
      outcome.exitCode,
      `${comparisonSummary(outcome.report)}\nreport: ${outcome.written.latestMarkdown}`,
    );
    process.exit(controller.signal.aborted ? 130 : outcome.exitCode);
  } catch (error) {
    const message = isBaselineRefError(error) ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`scenario: the comparison could not be made: ${message}\n`);
    process.exit(2);
  }
}

const serviceEnv = serviceEnvFromJson(process.env.LAB_SERVICE_ENV);
if (!serviceEnv.ok) {
  process.stderr.write(`scenario: LAB_SERVICE_ENV ${serviceEnv.message}\n`);
  process.exit(2);
}
try {
  const outcome = await runScenario({
    scenario: request.scenario,
    options: request.options,
    target: request.target,
    repoRoot,
    outDir: request.outDir,
    ...(request.jsonFile ? { jsonFile: request.jsonFile } : {}),
    enforceGates: request.enforceGates,
    signal: controller.signal,
    metricsPort: Number(process.env.LAB_METRICS_PORT ?? 9464),
    serviceEnv: serviceEnv.env,
    log,
    quiet: request.quiet,
    ...(request.prometheusUrl ? { prometheusUrl: request.prometheusUrl } : {}),
  });
  if (request.junitFile && outcome.result)
    await writeFile(request.junitFile, junitFromResult(outcome.result));
  verdict(outcome.exitCode, outcome.message);
  process.exit(outcome.exitCode);
} catch (error) {
  process.stderr.write(`scenario: the run failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(2);
}
