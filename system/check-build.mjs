// `npm start` and `npm run start:*` run the compiled services in dist/: say so plainly when they
// have not been built, or were built from older sources, instead of a module-not-found trace.
import { staleBuildReason } from './build-freshness.mjs';

const reason = staleBuildReason('.');
if (reason === 'no build yet') {
  console.error(
    'The services run compiled: run `npm run build` first (or `npm run system` to run the sources).',
  );
  process.exit(1);
}
if (reason !== undefined) {
  console.error(`dist/ is stale (${reason}): run \`npm run build\` again.`);
  process.exit(1);
}
