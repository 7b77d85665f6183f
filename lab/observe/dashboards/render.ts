import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { dashboardsDir } from '../dashboard-queries.ts';
import { apiDashboard } from './api.ts';
import { datasourceFacts } from './datasources.ts';
import type { LabDashboard } from './lab-dashboard.ts';
import { labOverviewDashboard } from './lab-overview.ts';
import { notificationsDashboard } from './notifications.ts';
import { workerDashboard } from './worker.ts';

/** Every dashboard, by the file under dashboards/ it is written to. */
export const dashboardSources: Readonly<Record<string, () => LabDashboard>> = {
  'api.json': apiDashboard,
  'lab-overview.json': labOverviewDashboard,
  'notifications.json': notificationsDashboard,
  'worker.json': workerDashboard,
};

/**
 * The Grafana of the compose stack (docker-compose.yml). The SDK stamps schemaVersion 42, newer
 * than this Grafana knows; Grafana migrates a dashboard up from an older schema version but never
 * down, so the JSON claims 39, the version 11.2 writes, and every Grafana from 11.2 on reads it.
 */
const grafana = { version: '11.2.2', schemaVersion: 39 };

/**
 * What Grafana's import reads besides the dashboard (the SDK's Dashboard type has neither): one
 * data source input per data source the dashboard uses, and the Grafana and plugins it needs.
 */
function importEnvelope({ datasources }: LabDashboard) {
  return {
    __inputs: datasources.map((kind) => ({
      name: datasourceFacts[kind].importInput,
      label: datasourceFacts[kind].label,
      description: datasourceFacts[kind].description,
      type: 'datasource',
      pluginId: kind,
      pluginName: datasourceFacts[kind].label,
    })),
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: grafana.version },
      ...datasources.map((kind) => ({
        type: 'datasource',
        id: kind,
        name: datasourceFacts[kind].label,
        version: '1.0.0',
      })),
    ],
  };
}

/** Keys in code-point order at every level: the file does not change with the order builders set them. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/** The dashboard as Grafana imports and provisions it. */
export function dashboardModel(source: LabDashboard): unknown {
  const model = { ...importEnvelope(source), ...source.build(), schemaVersion: grafana.schemaVersion };
  // Through JSON first: the SDK's queries carry a marker function that JSON drops.
  return sortedKeys(JSON.parse(JSON.stringify(model)));
}

export interface RenderedDashboard {
  file: string;
  json: string;
}

/** Every dashboard's file content, formatted as the repository formats JSON (prettier). */
export async function renderDashboards(): Promise<RenderedDashboard[]> {
  const options = (await prettier.resolveConfig(join(dashboardsDir, 'api.json'))) ?? {};
  return Promise.all(
    Object.entries(dashboardSources).map(async ([file, source]) => ({
      file,
      // Indented first: prettier keeps an object expanded when its source is, so every object is.
      json: await prettier.format(JSON.stringify(dashboardModel(source()), null, 2), {
        ...options,
        parser: 'json',
      }),
    })),
  );
}

/**
 * What differs between the rendered dashboards and the files in `dir`: each file that is missing or
 * out of date, and each `*.json` there that no code renders (Grafana would still load it).
 */
export function dashboardDrift(rendered: RenderedDashboard[], dir = dashboardsDir): string[] {
  const problems: string[] = [];
  for (const { file, json } of rendered) {
    const path = join(dir, file);
    if (!existsSync(path)) problems.push(`${file} is missing`);
    else if (readFileSync(path, 'utf8') !== json) problems.push(`${file} differs from its source`);
  }
  const known = new Set(rendered.map((r) => r.file));
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort())
    if (!known.has(file)) problems.push(`${file} is not generated from lab/observe/dashboards/`);
  return problems;
}
