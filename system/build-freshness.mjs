// Whether dist/ still describes the sources it was compiled from. Plain JavaScript because
// `npm start` asks before anything is compiled; the lab asks the same question before it runs the
// compiled services, so both refuse (or redo) a stale build by one rule.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Written by the build (system/copy-assets.mjs) once everything is in dist/. */
export const buildStamp = 'dist/.built';

const sourceRoots = ['system', 'contracts'];
const buildInputs = ['tsconfig.json', 'tsconfig.build.json', 'system/copy-assets.mjs', 'package-lock.json'];

function newestSourceMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(p));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Why dist/ cannot be used as it is; undefined when it is up to date. */
export function staleBuildReason(repoRoot) {
  const stamp = path.join(repoRoot, buildStamp);
  if (!existsSync(stamp)) return 'no build yet';
  const builtAt = statSync(stamp).mtimeMs;
  for (const root of sourceRoots)
    if (newestSourceMs(path.join(repoRoot, root)) > builtAt) return `${root}/ changed since the build`;
  for (const file of buildInputs) {
    const p = path.join(repoRoot, file);
    if (existsSync(p) && statSync(p).mtimeMs > builtAt) return `${file} changed since the build`;
  }
  return undefined;
}
