// `npm start` and `npm run start:*` run the compiled services in dist/: say so plainly when they
// have not been built, or were built from older sources, instead of a module-not-found trace.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const stamp = 'dist/.built'; // written by system/copy-assets.mjs, the build's last step
if (!existsSync(stamp)) {
  console.error(
    'The services run compiled: run `npm run build` first (or `npm run system` to run the sources).',
  );
  process.exit(1);
}
const builtAt = statSync(stamp).mtimeMs;
function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (!e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}
if (Math.max(newestSource('system'), newestSource('contracts')) > builtAt) {
  console.error('dist/ is older than the sources: run `npm run build` again.');
  process.exit(1);
}
