import { execFile } from 'node:child_process';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Runs a command; resolves with its stdout, rejects with an error that includes its stderr. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options: { cwd: string },
) => Promise<string>;

/** The real runner: no shell, output kept (up to 64 MiB) so an `npm ci` failure can be shown. */
export const execCommand: CommandRunner = (command, args, { cwd }) =>
  new Promise((resolve, reject) => {
    execFile(command, [...args], { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });

/** The ref does not name a commit of the repository. */
export class BaselineRefError extends Error {
  override readonly name = 'BaselineRefError';
  constructor(readonly ref: string) {
    super(`git ref "${ref}" does not name a commit in this repository (try a branch, tag or sha)`);
  }
}

export function isBaselineRefError(error: unknown): error is BaselineRefError {
  return error instanceof BaselineRefError;
}

export interface BaselineWorktreeOptions {
  /** The repository (the working tree the candidate runs from). */
  repoRoot: string;
  /** Git ref of the baseline, e.g. `main`, `v1.2`, `HEAD~3`, a sha. */
  ref: string;
  /** Where baselines are kept, one folder per commit. Default `<repoRoot>/.cache/compare`. */
  cacheDir?: string;
  run?: CommandRunner;
  /** Installs dependencies in the new worktree. Default `npm ci --no-audit --no-fund`. */
  install?: (dir: string) => Promise<void>;
  log?: (line: string) => void;
}

export interface BaselineWorktree {
  sha: string;
  /** Absolute path of the worktree, checked out detached at `sha`. */
  dir: string;
  /** False when this call checked it out or installed its dependencies. */
  cached: boolean;
}

const installedMarker = (cacheDir: string, sha: string): string => path.join(cacheDir, `${sha}.installed`);

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Resolves `ref` to a full commit sha, or throws {@link BaselineRefError}. */
export async function resolveCommit(
  repoRoot: string,
  ref: string,
  run: CommandRunner = execCommand,
): Promise<string> {
  // `--end-of-options` keeps a ref like `--help` from being read as an option.
  const stdout = await run(
    'git',
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
    {
      cwd: repoRoot,
    },
  ).catch(() => '');
  const sha = stdout.trim();
  if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new BaselineRefError(ref);
  return sha;
}

/** True when `dir` is a worktree checked out at `sha`. */
async function isCheckedOutAt(dir: string, sha: string, run: CommandRunner): Promise<boolean> {
  if (!(await exists(dir))) return false;
  const head = await run('git', ['rev-parse', 'HEAD'], { cwd: dir }).catch(() => '');
  return head.trim() === sha;
}

/**
 * Gives a worktree of the repository checked out at `ref` with its dependencies installed, for the
 * baseline side of a comparison. Worktrees are cached per commit: the first call checks out and
 * installs, later calls reuse it. The install is recorded by a marker file next to the worktree,
 * written only after it succeeded, so an interrupted `npm ci` is redone on the next call. A folder
 * left half-made (not a worktree at that commit) is removed and checked out again. Two comparisons
 * of the same commit at the same time are not supported.
 */
export async function prepareBaselineWorktree(options: BaselineWorktreeOptions): Promise<BaselineWorktree> {
  const run = options.run ?? execCommand;
  const install =
    options.install ??
    (async (dir: string) => {
      await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir });
    });
  const cacheDir = path.resolve(options.cacheDir ?? path.join(options.repoRoot, '.cache', 'compare'));
  const sha = await resolveCommit(options.repoRoot, options.ref, run);
  const dir = path.join(cacheDir, sha);
  const marker = installedMarker(cacheDir, sha);
  let cached = true;

  if (!(await isCheckedOutAt(dir, sha, run))) {
    cached = false;
    options.log?.(`baseline ${options.ref} (${sha.slice(0, 12)}): checking out into ${dir}`);
    await rm(dir, { recursive: true, force: true });
    await rm(marker, { force: true });
    await run('git', ['worktree', 'prune'], { cwd: options.repoRoot });
    await mkdir(cacheDir, { recursive: true });
    await run('git', ['worktree', 'add', '--detach', dir, sha], { cwd: options.repoRoot });
  }
  if (!(await exists(marker))) {
    cached = false;
    options.log?.(`baseline ${options.ref} (${sha.slice(0, 12)}): installing dependencies`);
    await install(dir);
    await writeFile(marker, `${new Date().toISOString()}\n`);
  }
  return { sha, dir, cached };
}
