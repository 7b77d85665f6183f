// `npm run scenario <name> [-- options]`: runs one scenario and exits 0 (every gate holds),
// 1 (a gate failed), 2 (the run could not be made, or was invalid) or 130 (interrupted).
import { fileURLToPath } from 'node:url';
import { scenarios } from '../scenarios/index.ts';
import { parseCliArgs } from './cli-args.ts';
import { runScenario } from './run-scenario.ts';

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

const log = (line: string): void => void process.stderr.write(`${line}\n`);
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
    log,
  });
  (outcome.exitCode === 0 ? process.stdout : process.stderr).write(`${outcome.message}\n`);
  process.exit(outcome.exitCode);
} catch (error) {
  process.stderr.write(`scenario: the run failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(2);
}
