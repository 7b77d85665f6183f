import { spawn } from 'node:child_process';
import { TargetError } from './target.ts';

/**
 * Runs lab/infra/ensure-infra.sh (the same as `npm run infra`): starts PostgreSQL, RabbitMQ and
 * Redis when they are down, installing them when it can. Its lines are passed to `log`.
 */
export async function ensureInfra(repoRoot: string, log: (line: string) => void): Promise<void> {
  const child = spawn('bash', ['lab/infra/ensure-infra.sh'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim()) log(line.trim());
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new TargetError(
      `the local infrastructure (PostgreSQL, RabbitMQ, Redis) is not available:\n${stderr.trim()}`,
      'run `npm run infra` and fix what it reports, or use `--target compose` with a running Docker stack',
    );
  }
}
