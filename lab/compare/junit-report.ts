import { formatNumber } from '../report/markdown-format.ts';
import type { LabResult } from '../report/result-schema.ts';
import type { ComparisonReport, MetricComparison } from './compare-schema.ts';

/** Characters XML 1.0 does not allow at all, even escaped (most C0 controls, lone surrogates, U+FFFE/F). */
const forbiddenXmlChars = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text for XML content and double- or single-quoted attributes; drops forbidden characters. */
export function escapeXml(text: string): string {
  return text
    .replace(forbiddenXmlChars, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** One JUnit test case: passed, failed (an assertion: a gate or a regression) or errored (no measurement). */
export interface JunitCase {
  name: string;
  classname: string;
  failure?: { message: string; details?: string };
  error?: { message: string; details?: string };
  /** Shown with the case, e.g. the values behind a verdict. */
  output?: string;
}

function caseXml(c: JunitCase): string {
  const attrs = `name="${escapeXml(c.name)}" classname="${escapeXml(c.classname)}"`;
  const body = [
    c.failure &&
      `<failure message="${escapeXml(c.failure.message)}" type="failure">${escapeXml(c.failure.details ?? '')}</failure>`,
    c.error &&
      `<error message="${escapeXml(c.error.message)}" type="error">${escapeXml(c.error.details ?? '')}</error>`,
    c.output && `<system-out>${escapeXml(c.output)}</system-out>`,
  ].filter((part): part is string => typeof part === 'string');
  return body.length === 0
    ? `    <testcase ${attrs}/>`
    : `    <testcase ${attrs}>\n      ${body.join('\n      ')}\n    </testcase>`;
}

/** A JUnit XML document with one test suite. */
export function junitXml(suite: { name: string; timestamp: string; cases: readonly JunitCase[] }): string {
  const failures = suite.cases.filter((c) => c.failure).length;
  const errors = suite.cases.filter((c) => c.error).length;
  const counts = `tests="${suite.cases.length}" failures="${failures}" errors="${errors}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="event-lab" ${counts}>`,
    `  <testsuite name="${escapeXml(suite.name)}" ${counts} skipped="0" timestamp="${escapeXml(suite.timestamp)}">`,
    ...suite.cases.map(caseXml),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * One test case per gate of a single run; a failed gate is a failure with its reason. An invalid
 * run adds an errored case, because its gates say nothing about the system.
 */
export function junitFromResult(
  result: Pick<LabResult, 'scenario' | 'startedAt' | 'valid' | 'invalidReason' | 'gates'>,
): string {
  const classname = `scenario.${result.scenario}`;
  const cases: JunitCase[] = result.gates.map((gate) => ({
    name: gate.name,
    classname,
    ...(gate.passed
      ? {}
      : { failure: { message: gate.reason ?? `${gate.metric} ${gate.op} ${gate.threshold} failed` } }),
  }));
  if (!result.valid) {
    cases.push({
      name: 'the measurement is valid',
      classname,
      error: { message: result.invalidReason ?? 'the run was invalid (no reason recorded)' },
    });
  }
  return junitXml({ name: `scenario ${result.scenario}`, timestamp: result.startedAt, cases });
}

function metricSummary(m: MetricComparison): string {
  const change = m.ratio === null ? `difference ${m.difference}` : `ratio ${m.ratio}`;
  const interval = m.exact
    ? 'exact comparison'
    : `95 % interval [${m.ci95[0]}, ${m.ci95[1]}] on the ${m.scale}`;
  return [
    `${m.metric} (${m.direction} is better, tolerance ±${formatNumber(m.tolerance * 100)} %): ${m.verdict}`,
    `baseline median ${m.baseline.median}, candidate median ${m.candidate.median}, ${change}, ${interval}`,
    `baseline values ${m.baseline.values.join(', ')}`,
    `candidate values ${m.candidate.values.join(', ')}`,
    ...(m.note === undefined ? [] : [`note: ${m.note}`]),
  ].join('\n');
}

/**
 * One test case per compared metric; a regression is a failure, every other verdict passes with
 * its numbers as output. An invalid comparison is one errored case with the reason.
 */
export function junitFromComparison(report: ComparisonReport): string {
  const classname = `compare.${report.scenario}`;
  const cases: JunitCase[] = report.metrics.map((m) => ({
    name: m.metric,
    classname,
    output: metricSummary(m),
    ...(m.verdict === 'regression' && !m.accepted
      ? {
          failure: {
            message: `${m.metric} regressed beyond ±${formatNumber(m.tolerance * 100)} %`,
            details: metricSummary(m),
          },
        }
      : {}),
  }));
  if (report.verdict === 'invalid') {
    cases.push({
      name: 'the comparison could be made',
      classname,
      error: { message: report.invalidReason ?? 'the comparison was invalid (no reason recorded)' },
    });
  }
  return junitXml({
    name: `compare ${report.scenario} against ${report.baseline.ref}`,
    timestamp: report.startedAt,
    cases,
  });
}
