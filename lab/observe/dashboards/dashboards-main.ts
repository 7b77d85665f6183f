// `npm run dashboards [-- --check]`: writes dashboards/*.json from the typed sources in
// lab/observe/dashboards/; with --check, writes nothing and exits 1 naming each file that differs.
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { dashboardsDir } from '../dashboard-queries.ts';
import { dashboardDrift, renderDashboards } from './render.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const rendered = await renderDashboards();

if (values.check) {
  const drift = dashboardDrift(rendered);
  for (const problem of drift) console.error(`dashboards/${problem}`);
  if (drift.length > 0) console.error('run `npm run dashboards` to regenerate them');
  process.exitCode = drift.length > 0 ? 1 : 0;
} else {
  for (const { file, json } of rendered) {
    const path = join(dashboardsDir, file);
    await writeFile(path, json);
    console.log(`wrote ${relative(process.cwd(), path)}`);
  }
}
