import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChartName } from './chart-specs.ts';
import { renderCharts as renderChartsDefault } from './render-charts.ts';
import { renderMarkdown, type ChartFiles } from './render-markdown.ts';
import { parseLabResult, type LabResult } from './result-schema.ts';

export interface WriteResultsOptions {
  /** Directory holding one folder per scenario, e.g. `<repo>/reports`. */
  reportsDir: string;
  /** Injectable for tests; defaults to the Vega-Lite renderer. */
  renderCharts?: (result: LabResult) => Promise<Partial<Record<ChartName, string>>>;
}

/** Absolute paths of everything written. */
export interface WrittenResults {
  json: string;
  markdown: string;
  latestJson: string;
  latestMarkdown: string;
  charts: Partial<Record<ChartName, string>>;
}

/** `2025-01-02T03:04:05.678Z` → `2025-01-02T03-04-05-678Z` (safe in file names on every OS). */
export function fileTimestamp(iso: string): string {
  return new Date(iso).toISOString().replace(/[:.]/g, '-');
}

const chartFileSuffix: Record<ChartName, string> = {
  latency: 'latency',
  notificationLatency: 'notification-latency',
  journey: 'journey',
  listeners: 'listeners',
  outbox: 'outbox',
  breaker: 'breaker',
  waveHitRate: 'hit-rate-per-wave',
  hitRate: 'hit-rate',
};

/**
 * Validates `result`, then writes `reports/<scenario>/<timestamp>.json` and `.md`, `latest.json`,
 * `latest.md` and the charts of this run as `latest-<chart>.svg`, linked from `latest.md` only.
 * Only the latest run keeps charts: every other SVG in the folder (an earlier run's, or a chart
 * this run did not draw) is removed, so the charts beside `latest.md` are always its own. The
 * timestamped markdown has no charts section; its JSON can be charted again when needed. The
 * `latest.*` files are replaced atomically (write + rename).
 */
export async function writeResults(result: LabResult, options: WriteResultsOptions): Promise<WrittenResults> {
  const valid = parseLabResult(result);
  const dir = path.join(options.reportsDir, valid.scenario);
  const stamp = fileTimestamp(valid.startedAt);
  await mkdir(dir, { recursive: true });

  const svgs = await (options.renderCharts ?? renderChartsDefault)(valid);
  const charts: Partial<Record<ChartName, string>> = {};
  const links: ChartFiles = {};
  for (const [name, svg] of Object.entries(svgs) as [ChartName, string][]) {
    const file = `latest-${chartFileSuffix[name]}.svg`;
    charts[name] = path.join(dir, file);
    links[name] = `./${file}`;
    await writeAtomically(charts[name], svg);
  }
  await removeOtherSvgs(dir, new Set(Object.values(charts)));

  const json = `${JSON.stringify(valid, null, 2)}\n`;
  const written: WrittenResults = {
    json: path.join(dir, `${stamp}.json`),
    markdown: path.join(dir, `${stamp}.md`),
    latestJson: path.join(dir, 'latest.json'),
    latestMarkdown: path.join(dir, 'latest.md'),
    charts,
  };
  await writeFile(written.json, json);
  await writeFile(written.markdown, renderMarkdown(valid));
  await writeAtomically(written.latestJson, json);
  await writeAtomically(written.latestMarkdown, renderMarkdown(valid, links));
  return written;
}

async function removeOtherSvgs(dir: string, keep: ReadonlySet<string>): Promise<void> {
  const stale = (await readdir(dir))
    .map((f) => path.join(dir, f))
    .filter((f) => f.endsWith('.svg') && !keep.has(f));
  await Promise.all(stale.map((f) => rm(f, { force: true })));
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}
