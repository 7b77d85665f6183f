import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBaselineRefError, prepareBaselineWorktree, type CommandRunner } from './baseline-worktree.ts';

const sha = 'c0ffee'.padEnd(40, '0');

/** A fake git that knows one ref (`main`) and makes worktree folders for real. */
function fakeGit(): { run: CommandRunner; commands: string[] } {
  const commands: string[] = [];
  const checkedOut = new Set<string>();
  const run: CommandRunner = async (command, args, { cwd }) => {
    commands.push([command, ...args].join(' '));
    if (args[0] === 'rev-parse' && args.includes('--verify')) {
      if (args.at(-1) === 'main^{commit}') return `${sha}\n`;
      throw new Error('fatal: Needed a single revision');
    }
    if (args[0] === 'rev-parse' && args[1] === 'HEAD') {
      if (checkedOut.has(cwd)) return `${sha}\n`;
      throw new Error('not a git repository');
    }
    if (args[0] === 'worktree' && args[1] === 'add') {
      const dir = args[3] as string;
      await mkdir(dir, { recursive: true });
      checkedOut.add(dir);
    }
    return '';
  };
  return { run, commands };
}

let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'lab-compare-cache-'));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('prepareBaselineWorktree', () => {
  it('checks the commit out and installs once, then reuses the cached worktree', async () => {
    const git = fakeGit();
    const installs: string[] = [];
    const install = (dir: string) => Promise.resolve(void installs.push(dir));
    const options = { repoRoot: '/repo', ref: 'main', cacheDir, run: git.run, install };

    const first = await prepareBaselineWorktree(options);
    expect(first).toEqual({ sha, dir: path.join(cacheDir, sha), cached: false });
    expect(git.commands).toContain(`git worktree add --detach ${first.dir} ${sha}`);
    const second = await prepareBaselineWorktree(options);

    expect(second).toEqual({ ...first, cached: true });
    expect(installs).toEqual([first.dir]);
    expect(git.commands.filter((c) => c.startsWith('git worktree add'))).toHaveLength(1);
    expect((await readdir(cacheDir)).sort()).toEqual([sha, `${sha}.installed`]);
  });

  it('installs again after an install that failed', async () => {
    const git = fakeGit();
    let attempts = 0;
    const install = () =>
      ++attempts === 1 ? Promise.reject(new Error('npm ci interrupted')) : Promise.resolve();
    const options = { repoRoot: '/repo', ref: 'main', cacheDir, run: git.run, install };

    await expect(prepareBaselineWorktree(options)).rejects.toThrow(/interrupted/);
    const retried = await prepareBaselineWorktree(options);

    expect(attempts).toBe(2);
    expect(retried.cached).toBe(false);
    expect(git.commands.filter((c) => c.startsWith('git worktree add'))).toHaveLength(1);
  });

  it('replaces a leftover folder that is not a worktree at the commit', async () => {
    const git = fakeGit();
    await mkdir(path.join(cacheDir, sha, 'half-copied'), { recursive: true });
    const result = await prepareBaselineWorktree({
      repoRoot: '/repo',
      ref: 'main',
      cacheDir,
      run: git.run,
      install: () => Promise.resolve(),
    });
    expect(result.cached).toBe(false);
    expect(await readdir(result.dir)).toEqual([]);
  });

  it('names a ref that is not a commit and checks nothing out', async () => {
    const git = fakeGit();
    const error: unknown = await prepareBaselineWorktree({
      repoRoot: '/repo',
      ref: 'mian',
      cacheDir,
      run: git.run,
      install: () => Promise.resolve(),
    }).catch((e: unknown) => e);
    expect(isBaselineRefError(error)).toBe(true);
    expect((error as Error).message).toMatch(/git ref "mian" does not name a commit/);
    expect(git.commands.some((c) => c.includes('worktree'))).toBe(false);
  });
});
