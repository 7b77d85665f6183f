import { mkdir, rename, writeFile } from 'node:fs/promises';
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
  listeners: 'listeners',
  outbox: 'outbox',
  breaker: 'breaker',
  waveHitRate: 'hit-rate-per-wave',
  hitRate: 'hit-rate',
};

/**
 * Validates `result`, then writes `reports/<scenario>/<timestamp>.json`, `.md`, the chart SVGs
 * (`<timestamp>-latency.svg`, …) and `latest.json` + `latest.md`. Both markdown files sit next to
 * the SVGs and link them as `./<timestamp>-<chart>.svg`, so the links in `latest.md` stay valid
 * until the next run replaces it. The `latest.*` files are replaced atomically (write + rename).
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
    const file = `${stamp}-${chartFileSuffix[name]}.svg`;
    charts[name] = path.join(dir, file);
    links[name] = `./${file}`;
    await writeFile(charts[name], svg);
  }

  const json = `${JSON.stringify(valid, null, 2)}\n`;
  const markdown = renderMarkdown(valid, links);
  const written: WrittenResults = {
    json: path.join(dir, `${stamp}.json`),
    markdown: path.join(dir, `${stamp}.md`),
    latestJson: path.join(dir, 'latest.json'),
    latestMarkdown: path.join(dir, 'latest.md'),
    charts,
  };
  await writeFile(written.json, json);
  await writeFile(written.markdown, markdown);
  await writeAtomically(written.latestJson, json);
  await writeAtomically(written.latestMarkdown, markdown);
  return written;
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}
