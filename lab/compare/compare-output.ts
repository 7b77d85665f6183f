import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileTimestamp } from '../report/write-results.ts';
import { renderCompareCharts as renderChartsDefault } from './compare-chart-specs.ts';
import { renderCompareMarkdown } from './compare-report.ts';
import { parseComparisonReport, type ComparisonReport } from './compare-schema.ts';

export { comparisonReportSchema, parseComparisonReport } from './compare-schema.ts';

export interface WriteComparisonOptions {
  /** Directory holding one folder per scenario, e.g. `<repo>/reports`. */
  outDir: string;
  /** Injectable for tests; defaults to the Vega-Lite renderer. SVG text keyed by metric name. */
  renderCharts?: (report: ComparisonReport) => Promise<Record<string, string>>;
}

/** Absolute paths of everything written. */
export interface WrittenComparison {
  json: string;
  markdown: string;
  latestJson: string;
  latestMarkdown: string;
  /** Chart SVG per metric name. */
  charts: Record<string, string>;
}

/** `http.latency.p99Ms` stays as it is; anything unsafe in a file name becomes `-`. */
export function metricFileName(metric: string): string {
  return metric.replace(/[^A-Za-z0-9._-]/g, '-');
}

/**
 * Validates the report, then writes under `<outDir>/<scenario>/`: `compare-<timestamp>.json`,
 * `compare-<timestamp>.md`, one `compare-<timestamp>-<metric>.svg` per metric, and
 * `compare-latest.json` + `compare-latest.md` (replaced atomically: write, then rename). Both
 * markdown files link the timestamped SVGs, which stay until someone deletes them.
 */
export async function writeComparison(
  report: ComparisonReport,
  options: WriteComparisonOptions,
): Promise<WrittenComparison> {
  const valid = parseComparisonReport(report);
  const dir = path.join(options.outDir, valid.scenario);
  const stamp = `compare-${fileTimestamp(valid.startedAt)}`;
  await mkdir(dir, { recursive: true });

  const svgs = await (options.renderCharts ?? renderChartsDefault)(valid);
  const charts: Record<string, string> = {};
  const links: Record<string, string> = {};
  for (const [metric, svg] of Object.entries(svgs)) {
    const file = `${stamp}-${metricFileName(metric)}.svg`;
    charts[metric] = path.join(dir, file);
    links[metric] = `./${file}`;
    await writeFile(charts[metric], svg);
  }

  const json = `${JSON.stringify(valid, null, 2)}\n`;
  const markdown = renderCompareMarkdown(valid, links);
  const written: WrittenComparison = {
    json: path.join(dir, `${stamp}.json`),
    markdown: path.join(dir, `${stamp}.md`),
    latestJson: path.join(dir, 'compare-latest.json'),
    latestMarkdown: path.join(dir, 'compare-latest.md'),
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
