import path from 'node:path';
import type { LatestEntry } from './load-latest-results.ts';
import { formatMachine, formatNumber, markdownTable } from './markdown-format.ts';
import { resultStatus, type LabResult } from './result-schema.ts';

/** Metrics shown for every scenario that has them, besides the ones its gates use. */
export const headlineMetricNames = [
  'http.latency.p99Ms',
  'notifications.latency.p99Ms',
  'dedupe.hitRate',
  'events.lost',
  'breaker.timeToOpenMs',
] as const;

/** Link path from the REPORT.md directory to a file, with forward slashes. */
function linkTo(fromDir: string, file: string): string {
  const relative = path.relative(fromDir, file).split(path.sep).join('/');
  return encodeURI(relative.startsWith('.') ? relative : `./${relative}`);
}

function headlineMetrics(result: LabResult): [string, number][] {
  const names = new Set<string>(headlineMetricNames);
  for (const gate of result.gates) if (Object.hasOwn(result.metrics, gate.metric)) names.add(gate.metric);
  return [...names].flatMap((name) => {
    const value = result.metrics[name];
    return value === undefined ? [] : [[name, value] as [string, number]];
  });
}

function scenarioSection(entry: Extract<LatestEntry, { ok: true }>, outDir: string): string {
  const { result } = entry;
  const link = linkTo(outDir, path.join(entry.dir, 'latest.md'));
  const lines = [`### ${result.scenario}: ${resultStatus(result)}`, ''];
  if (!result.valid) lines.push(`Invalid because: ${result.invalidReason ?? 'no reason recorded'}`, '');
  lines.push(`Run ${result.startedAt} on \`${result.target}\`. Full report: [latest.md](${link})`, '');
  const metrics = headlineMetrics(result);
  if (metrics.length > 0) {
    lines.push(
      markdownTable(
        ['Metric', 'Value'],
        metrics.map(([n, v]) => [`\`${n}\``, formatNumber(v)]),
      ),
      '',
    );
  }
  if (result.gates.length > 0) {
    const rows = result.gates.map((g) => [
      g.name,
      `\`${g.metric}\` ${g.op} ${formatNumber(g.threshold)}${g.phase ? ` (phase ${g.phase})` : ''}`,
      formatNumber(g.value),
      g.passed ? 'PASS' : 'FAIL',
    ]);
    lines.push(markdownTable(['Gate', 'Condition', 'Value', 'Result'], rows), '');
  } else {
    lines.push('No gates were declared.', '');
  }
  return lines.join('\n').trimEnd();
}

/**
 * Renders REPORT.md from every scenario's latest result. Pure. `outDir` is the directory
 * REPORT.md will be written to, so links to each `latest.md` are relative to it.
 */
export function renderReportIndex(entries: readonly LatestEntry[], outDir: string): string {
  const good = entries.filter((e): e is Extract<LatestEntry, { ok: true }> => e.ok);
  const broken = entries.filter((e): e is Extract<LatestEntry, { ok: false }> => !e.ok);
  const parts = ['# Lab report', ''];
  if (entries.length === 0) {
    parts.push('No results yet: run `npm run scenario <name>`, then `npm run report`.');
    return `${parts.join('\n')}\n`;
  }
  const machines = [...new Set(good.map((e) => formatMachine(e.result.machine)))];
  parts.push(
    `Latest result of each of ${entries.length} scenario(s). Regenerate with \`npm run report\`.`,
    '',
    ...(machines.length === 1 ? [`Machine: ${machines[0]}`] : machines.map((m) => `- Machine: ${m}`)),
    '',
    '## Summary',
    '',
    markdownTable(
      ['Scenario', 'Result', 'Target', 'Started', 'Gates passed', 'Report'],
      [
        ...good.map((e) => [
          e.scenario,
          resultStatus(e.result),
          e.result.target,
          e.result.startedAt,
          `${e.result.gates.filter((g) => g.passed).length}/${e.result.gates.length}`,
          `[latest.md](${linkTo(outDir, path.join(e.dir, 'latest.md'))})`,
        ]),
        ...broken.map((e) => [e.scenario, 'BROKEN RESULT FILE', '—', '—', '—', '—']),
      ],
    ),
    '',
  );
  if (good.length > 0) parts.push('## Scenarios', '', ...good.map((e) => `${scenarioSection(e, outDir)}\n`));
  if (broken.length > 0) {
    parts.push('## Broken result files', '');
    for (const e of broken) {
      parts.push(
        `- \`${linkTo(outDir, e.file)}\`:`,
        '',
        '  ```',
        ...e.error.split('\n').map((l) => `  ${l}`),
        '  ```',
        '',
      );
    }
  }
  return `${parts.join('\n').trimEnd()}\n`;
}
