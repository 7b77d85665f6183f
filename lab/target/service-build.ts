import { spawn } from 'node:child_process';
import { staleBuildReason } from '../../system/build-freshness.mjs';
import { TargetError, type ServiceName } from './target.ts';

export { buildStamp, staleBuildReason } from '../../system/build-freshness.mjs';

/**
 * The lab measures the services as production runs them: compiled to JavaScript by
 * `npm run build` and started with plain node. A build older than any source it came from is
 * rebuilt before the run, so a report never describes code other than the working tree's.
 */

/** What the reports say about how the services ran. */
export const compiledRuntime = 'compiled (dist/, plain node)';

/** The compiled entry point of a service, relative to the repository root. */
export const compiledEntry = (name: ServiceName): string => `dist/system/${name}/main.js`;

/** Builds the services (`npm run build`) when dist/ is missing or older than the sources. */
export async function ensureServiceBuild(repoRoot: string, log: (line: string) => void): Promise<void> {
  const reason = staleBuildReason(repoRoot);
  if (reason === undefined) return;
  log(`building the services (${reason}): npm run build`);
  const started = Date.now();
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('npm', ['run', 'build', '--silent'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', (error) => {
      output += error.message;
      resolve(null);
    });
    child.on('close', resolve);
  });
  if (code !== 0)
    throw new TargetError(
      `the services did not compile (npm run build exited ${code}):\n${output.trim().split('\n').slice(-15).join('\n')}`,
      'fix the type errors above; `npm run typecheck` shows them all',
    );
  log(`built the services in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
