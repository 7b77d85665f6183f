import { appendFile } from 'node:fs/promises';
import { formatNumber, markdownTable } from '../report/markdown-format.ts';
import type { ComparisonReport, ComparisonSide, MetricComparison } from './compare-schema.ts';

/** Relative paths (from the markdown file) of each metric's chart SVG, keyed by metric name. */
export type CompareChartFiles = Readonly<Record<string, string>>;

const verdictLabels: Record<ComparisonReport['verdict'], string> = {
  regression: '❌ REGRESSION',
  improvement: '✅ IMPROVEMENT',
  equivalent: '✅ EQUIVALENT',
  inconclusive: '❔ INCONCLUSIVE',
  invalid: '⚠️ INVALID',
};

function describeSide(side: ComparisonSide): string {
  const ref = side.sha === undefined ? side.ref : `\`${side.ref}\` (${side.sha.slice(0, 12)})`;
  const vars = Object.entries(side.env).flatMap(([service, env]) =>
    Object.entries(env).map(([name, value]) => `\`${service}:${name}=${value}\``),
  );
  return vars.length === 0 ? ref : `${ref} with ${vars.join(', ')}`;
}

const percent = (fraction: number): string => `${formatNumber(fraction * 100)} %`;

function signed(value: number): string {
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value);
}

/** `1.031 (+3.1 %)` on the ratio scale, `Δ +2` on the difference scale. */
function changeCell(m: MetricComparison): string {
  if (m.ratio === null) return `Δ ${signed(m.difference)}`;
  return `${formatNumber(m.ratio)} (${m.ratio >= 1 ? '+' : ''}${percent(m.ratio - 1)})`;
}

function intervalCell(m: MetricComparison): string {
  if (m.exact) return 'exact';
  const [low, high] = m.ci95;
  return m.scale === 'ratio'
    ? `${formatNumber(low)} … ${formatNumber(high)}`
    : `Δ ${signed(low)} … ${signed(high)}`;
}

function summarySection(report: ComparisonReport): string {
  const counts = report.metrics.filter((m) => m.verdict === 'regression' && !m.accepted).length;
  const lines = [
    `# Comparison \`${report.scenario}\`: ${verdictLabels[report.verdict]}`,
    '',
    `- **Verdict:** ${report.verdict} (${counts} of ${report.metrics.length} metrics regressed)`,
  ];
  if (report.invalidReason !== undefined) lines.push(`- **Invalid because:** ${report.invalidReason}`);
  lines.push(
    `- **Baseline:** ${describeSide(report.baseline)}`,
    `- **Candidate:** ${describeSide(report.candidate)}`,
    `- **Rounds:** ${report.rounds} per side, interleaved (baseline first in odd rounds, candidate first in even ones)`,
    `- **Started:** ${report.startedAt}, **finished:** ${report.finishedAt}`,
  );
  return lines.join('\n');
}

function metricsSection(report: ComparisonReport): string {
  if (report.metrics.length === 0) return '## Metrics\n\nNo metric was judged.';
  const rows = report.metrics.map((m) => [
    `\`${m.metric}\``,
    `${m.direction}${m.exact ? ', exact' : ''}`,
    `±${percent(m.tolerance)}`,
    formatNumber(m.baseline.median),
    formatNumber(m.candidate.median),
    changeCell(m),
    intervalCell(m),
    m.pValue === null ? '—' : m.pValue < 0.001 ? '< 0.001' : formatNumber(m.pValue),
    m.note === undefined ? m.verdict : `${m.verdict} (${m.note})`,
  ]);
  const headers = ['Metric', 'Better', 'Tolerance', 'Baseline median', 'Candidate median', 'Ratio'];
  headers.push('95 % interval', 'p (Mann-Whitney)', 'Verdict');
  return `## Metrics\n\n${markdownTable(headers, rows)}`;
}

function runsSection(report: ComparisonReport): string {
  const failed = report.runs.filter((r) => !r.valid);
  if (failed.length === 0) return '';
  const rows = failed.map((r) => [r.side, String(r.round + 1), r.invalidReason ?? '—']);
  return `## Runs that could not be used\n\n${markdownTable(['Side', 'Round', 'Reason'], rows)}`;
}

function chartsSection(report: ComparisonReport, chartFiles: CompareChartFiles): string {
  const entries = report.metrics.flatMap((m) => {
    const file = chartFiles[m.metric];
    return file === undefined ? [] : [`### \`${m.metric}\`\n\n![${m.metric} per round](${encodeURI(file)})`];
  });
  return entries.length === 0 ? '' : `## Every round\n\n${entries.join('\n\n')}`;
}

/**
 * Renders a comparison as markdown: verdict headline, sides, one table row per metric, the runs
 * that could not be used, and a chart per metric when its file is given. Pure.
 */
export function renderCompareMarkdown(report: ComparisonReport, chartFiles: CompareChartFiles = {}): string {
  return [
    summarySection(report),
    metricsSection(report),
    runsSection(report),
    chartsSection(report, chartFiles),
  ]
    .filter((section) => section !== '')
    .join('\n\n')
    .concat('\n');
}

/**
 * Appends markdown to the CI job summary file (`GITHUB_STEP_SUMMARY`, passed in); does nothing when
 * there is none. Returns whether it wrote. Charts are left out by the caller: relative links do not
 * resolve in a job summary.
 */
export async function appendStepSummary(
  markdown: string,
  summaryFile: string | undefined,
  append: (file: string, text: string) => Promise<void> = appendFile,
): Promise<boolean> {
  if (summaryFile === undefined || summaryFile === '') return false;
  await append(summaryFile, `${markdown.trimEnd()}\n\n`);
  return true;
}
