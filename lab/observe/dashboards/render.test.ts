import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardsDir } from '../dashboard-queries.ts';
import { dashboardDrift, renderDashboards } from './render.ts';

const rendered = await renderDashboards();

/** Where two texts first differ, by line: enough to see what changed without a 1,000-line diff. */
function firstDifference(committed: string, generated: string): string {
  const [a, b] = [committed.split('\n'), generated.split('\n')];
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, generated ${JSON.stringify(b[at])}`;
}

describe('the committed dashboards', () => {
  it.each(rendered.map((r) => [r.file, r.json]))(
    'dashboards/%s is what its source generates',
    (file, json) => {
      const committed = readFileSync(join(dashboardsDir, file), 'utf8');
      if (committed !== json)
        expect.fail(
          `dashboards/${file} differs from lab/observe/dashboards/ (${firstDifference(committed, json)}): run \`npm run dashboards\``,
        );
    },
  );

  it('are all generated: no hand-written JSON beside them', () => {
    const files = readdirSync(dashboardsDir).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(rendered.map((r) => r.file).sort());
  });
});

describe('rendering', () => {
  it('gives the same bytes every time', async () => {
    expect(await renderDashboards()).toEqual(rendered);
  });

  it('claims the schema version and Grafana version of the compose stack, not the SDK’s', () => {
    for (const { json } of rendered) {
      const model = JSON.parse(json) as {
        schemaVersion: number;
        __requires: { id: string; version: string }[];
      };
      expect(model.schemaVersion).toBe(39);
      expect(model.__requires.find((r) => r.id === 'grafana')?.version).toBe('11.2.2');
    }
  });

  it('leaves links and annotations in the top bar (drops the SDK’s default placement)', () => {
    for (const { json } of rendered) {
      const model = JSON.parse(json) as { links: object[]; annotations: { list: object[] } };
      for (const item of [...model.links, ...model.annotations.list])
        expect(item).not.toHaveProperty('placement');
    }
  });
});

describe('dashboardDrift', () => {
  it('names each out-of-date, missing and stray file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-dashboards-'));
    try {
      const [first, second, ...rest] = rendered;
      writeFileSync(join(dir, first!.file), first!.json.replace('"Event lab', '"Event lab (edited)'));
      for (const { file, json } of rest) writeFileSync(join(dir, file), json);
      writeFileSync(join(dir, 'hand-written.json'), '{}\n');
      expect(dashboardDrift(rendered, dir)).toEqual([
        `${first!.file} differs from its source`,
        `${second!.file} is missing`,
        'hand-written.json is not generated from lab/observe/dashboards/',
      ]);
      writeFileSync(join(dir, first!.file), first!.json);
      writeFileSync(join(dir, second!.file), second!.json);
      rmSync(join(dir, 'hand-written.json'));
      expect(dashboardDrift(rendered, dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
