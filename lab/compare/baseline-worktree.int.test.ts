import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBaselineRefError, prepareBaselineWorktree } from './baseline-worktree.ts';

// A real git repository with two commits; the install step is a counter, so no npm is needed.
let root: string;
let repo: string;
const git = (...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=lab', '-c', 'user.email=lab@example.invalid', ...args], {
    cwd: repo,
    encoding: 'utf8',
  }).trim();

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'lab-compare-git-'));
  repo = path.join(root, 'repo');
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  await writeFile(path.join(repo, 'version.txt'), 'one\n');
  git('add', 'version.txt');
  git('commit', '-q', '-m', 'one');
  git('tag', 'v1');
  await writeFile(path.join(repo, 'version.txt'), 'two\n');
  git('commit', '-q', '-am', 'two');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('prepareBaselineWorktree against a real repository', () => {
  it('checks out the ref detached under the cache, installs once and reuses it', async () => {
    const installs: string[] = [];
    const options = {
      repoRoot: repo,
      ref: 'v1',
      install: (dir: string) => Promise.resolve(void installs.push(dir)),
    };

    const first = await prepareBaselineWorktree(options);
    const second = await prepareBaselineWorktree(options);

    expect(first.sha).toBe(git('rev-parse', 'v1^{commit}'));
    expect(first.dir).toBe(path.join(repo, '.cache', 'compare', first.sha));
    expect(await readFile(path.join(first.dir, 'version.txt'), 'utf8')).toBe('one\n');
    expect(await readFile(path.join(repo, 'version.txt'), 'utf8')).toBe('two\n');
    expect(second).toEqual({ ...first, cached: true });
    expect(installs).toEqual([first.dir]);
    expect(git('worktree', 'list', '--porcelain')).toContain(`worktree ${first.dir}`);
  });

  it('refuses an unknown ref with an error that names it', async () => {
    const error: unknown = await prepareBaselineWorktree({
      repoRoot: repo,
      ref: 'no-such-branch',
      install: () => Promise.resolve(),
    }).catch((e: unknown) => e);
    expect(isBaselineRefError(error)).toBe(true);
    expect((error as Error).message).toContain('"no-such-branch"');
    expect(git('worktree', 'list')).not.toContain('.cache');
  });

  it('checks out again when the cached worktree folder was deleted by hand', async () => {
    const options = { repoRoot: repo, ref: 'HEAD~1', install: () => Promise.resolve() };
    const first = await prepareBaselineWorktree(options);
    await rm(first.dir, { recursive: true, force: true });

    const again = await prepareBaselineWorktree(options);

    expect(again.cached).toBe(false);
    expect(await readFile(path.join(again.dir, 'version.txt'), 'utf8')).toBe('one\n');
  });
});
