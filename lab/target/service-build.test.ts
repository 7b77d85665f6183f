import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildStamp, staleBuildReason } from './service-build.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A repository skeleton whose files are all `ageSec` old. */
function repo(ageSec: number): { root: string; touch(file: string, ageSec: number): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'lab-build-check-'));
  dirs.push(root);
  const touch = (file: string, age: number) => {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, 'x');
    const t = Date.now() / 1000 - age;
    utimesSync(full, t, t);
  };
  for (const file of ['system/api/main.ts', 'contracts/envelope.ts', 'tsconfig.build.json'])
    touch(file, ageSec);
  return { root, touch };
}

describe('whether the compiled services can be used as they are', () => {
  it('builds when there is no build yet', () => {
    expect(staleBuildReason(repo(100).root)).toBe('no build yet');
  });

  it('uses a build newer than every source', () => {
    const r = repo(100);
    r.touch(buildStamp, 50);
    expect(staleBuildReason(r.root)).toBeUndefined();
  });

  it('rebuilds when a service source, a contract or the build settings changed since', () => {
    for (const changed of ['system/worker/worker.ts', 'contracts/topology.ts', 'tsconfig.build.json']) {
      const r = repo(100);
      r.touch(buildStamp, 50);
      r.touch(changed, 10);
      expect(staleBuildReason(r.root), changed).toMatch(/changed since the build/);
    }
  });

  it('ignores a changed test, which is not part of the build', () => {
    const r = repo(100);
    r.touch(buildStamp, 50);
    r.touch('system/api/app.test.ts', 10);
    expect(staleBuildReason(r.root)).toBeUndefined();
  });
});
