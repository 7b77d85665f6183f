import { chartNames, type ChartName } from './chart-specs.ts';
import { journeyScopes } from './charts/journey-chart.ts';
import { journeyStages } from '../../contracts/journey.ts';
import { formatDurationMs, formatMachine, formatNumber, markdownTable } from './markdown-format.ts';
import { resultStatus, type LabResult } from './result-schema.ts';

/** Relative paths (from the markdown file) of the chart SVGs that were written. */
export type ChartFiles = Partial<Record<ChartName, string>>;

const chartTitles: Record<ChartName, string> = {
  latency: 'Request latency over time',
  notificationLatency: 'Notification latency over time',
  journey: 'Where the time went',
  listeners: 'Listeners connected',
  outbox: 'Outbox backlog',
  breaker: 'Circuit breaker timeline',
  waveHitRate: 'Hit rate per wave',
  hitRate: 'Hit rate over time',
};

/**
 * Renders a run result as markdown: summary, gates, phases, charts, metrics, options and notes.
 * Pure: the same result and chart paths always give the same text.
 */
export function renderMarkdown(result: LabResult, chartFiles: ChartFiles = {}): string {
  return [
    summarySection(result),
    gatesSection(result),
    phasesSection(result),
    journeySection(result),
    chartsSection(chartFiles),
    metricsSection(result),
    `## Options\n\n\`\`\`json\n${JSON.stringify(result.options, null, 2)}\n\`\`\``,
    notesSection(result),
  ]
    .filter((section) => section !== '')
    .join('\n\n')
    .concat('\n');
}

function summarySection(result: LabResult): string {
  const status = resultStatus(result);
  const durationMs = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  const failed = result.gates.filter((g) => !g.passed).length;
  const lines = [
    `# Scenario \`${result.scenario}\`: ${status}`,
    '',
    `- **Result:** ${status} (${result.gates.length - failed}/${result.gates.length} gates passed)`,
  ];
  if (!result.valid) lines.push(`- **Invalid because:** ${result.invalidReason ?? 'no reason recorded'}`);
  lines.push(
    `- **Target:** ${result.target}`,
    `- **Started:** ${result.startedAt}, **finished:** ${result.finishedAt} (${formatDurationMs(durationMs)})`,
    `- **Machine:** ${formatMachine(result.machine)}`,
  );
  return lines.join('\n');
}

function gatesSection(result: LabResult): string {
  if (result.gates.length === 0) return '## Gates\n\nNo gates were declared.';
  const rows = result.gates.map((g) => [
    g.name,
    g.phase === undefined ? g.metric : `${g.metric} (phase ${g.phase})`,
    `${g.op} ${formatNumber(g.threshold)}`,
    formatNumber(g.value),
    g.passed ? '✅ PASS' : `❌ FAIL${g.reason ? `: ${g.reason}` : ''}`,
  ]);
  return `## Gates\n\n${markdownTable(['Gate', 'Metric', 'Condition', 'Value', 'Result'], rows)}`;
}

function phasesSection(result: LabResult): string {
  if (result.phases.length === 0) return '';
  const rows = result.phases.map((p) => [
    p.name,
    formatNumber(p.startMs / 1000),
    formatNumber(p.endMs / 1000),
    formatDurationMs(p.endMs - p.startMs),
    p.fault ?? '—',
  ]);
  return `## Phases\n\n${markdownTable(['Phase', 'Start (s)', 'End (s)', 'Duration', 'Fault'], rows)}`;
}

/**
 * Each phase's notification journey in milliseconds: the mean stages add up to the mean end-to-end
 * latency; p50 and p99 are each stage's own.
 */
function journeySection(result: LabResult): string {
  const scopes = journeyScopes(result);
  if (scopes.length === 0) return '';
  const rows = scopes.flatMap(({ label, prefix }) =>
    (['mean', 'p50', 'p99'] as const).map((statistic) => {
      const values = journeyStages.map((stage) => result.metrics[`${prefix}.${stage}.${statistic}Ms`]);
      const total = values.reduce<number>((s, v) => s + (v ?? 0), 0);
      return [label, statistic, ...values.map((v) => formatNumber(v)), formatNumber(total)];
    }),
  );
  return [
    '## Where the time went',
    '',
    "Each delivered notification cut into stages (ms): `api` intended send → commit, `outbox` → handed to the broker, `broker` both trips through RabbitMQ (the link and the queue), `worker` → the notification handed to the broker, `fanout` → handed to the listener's socket, `wire` → received. Per notification the stages add up to its end-to-end latency, so the means do too; a p50 or p99 row is each stage's own percentile.",
    '',
    markdownTable(['Phase', 'Statistic', ...journeyStages, 'sum'], rows),
  ].join('\n');
}

function chartsSection(chartFiles: ChartFiles): string {
  const entries = chartNames.flatMap((name) => {
    const file = chartFiles[name];
    return file === undefined ? [] : [`### ${chartTitles[name]}\n\n![${name}](${encodeURI(file)})`];
  });
  return entries.length === 0 ? '' : `## Charts\n\n${entries.join('\n\n')}`;
}

function metricsSection(result: LabResult): string {
  const names = Object.keys(result.metrics).sort();
  if (names.length === 0) return '## Metrics\n\nNo metrics were recorded.';
  const rows = names.map((name) => [`\`${name}\``, formatNumber(result.metrics[name])]);
  return `## Metrics\n\n${markdownTable(['Metric', 'Value'], rows)}`;
}

function notesSection(result: LabResult): string {
  if (!result.notes?.length) return '';
  return `## Notes\n\n${result.notes.map((n) => `- ${n.replace(/\r?\n/g, ' ')}`).join('\n')}`;
}
