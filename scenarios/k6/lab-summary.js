// @ts-check
// Turns k6's end-of-test summary (the `data` handed to `handleSummary`) into the lab's result shape
// (lab/report/result-schema.ts) where it fits, and into a short text for the terminal. Both k6
// scripts import it; it imports nothing (no k6 modules, no k6 globals), so the unit suite can load
// it in plain Node and check the mapping against a recorded summary.
//
// What fits and what does not: `scenario`, `startedAt`, `finishedAt`, `passed`, `valid`, `options`,
// `gates`, `metrics`, `phases`, `timeline` and `notes` are written; `target` and `machine` are not,
// because a k6 script cannot know where the services run nor read the machine's CPUs and memory.

/**
 * One metric of k6's summary. Times are in milliseconds; a trend carries the stats of
 * `summaryTrendStats`, a counter `count` and `rate`, a rate `rate`, `passes` and `fails`, a gauge
 * `value`, `min` and `max`. `thresholds` is present on the metrics (and sub-metrics such as
 * `http_req_duration{expected_response:true}`) a threshold was declared on.
 * @typedef {object} K6Metric
 * @property {'counter' | 'gauge' | 'rate' | 'trend'} type
 * @property {'default' | 'time' | 'data'} [contains]
 * @property {Record<string, number>} values
 * @property {Record<string, { ok: boolean }>} [thresholds]
 */

/**
 * The summary k6 passes to `handleSummary` (only the parts read here).
 * @typedef {object} K6SummaryData
 * @property {Record<string, K6Metric>} metrics
 * @property {{ testRunDurationMs?: number, isStdOutTTY?: boolean }} [state]
 * @property {{ summaryTrendStats?: string[] }} [options]
 */

/** @typedef {'<' | '<=' | '>' | '>=' | '==' | '!='} GateOp */

/**
 * A threshold expression such as `p(99)<500`, split into its parts.
 * @typedef {object} ParsedThreshold
 * @property {string} stat the k6 aggregation, e.g. `p(99)`, `rate`, `count`
 * @property {GateOp} op k6's `===` is written `==`, the lab's spelling
 * @property {number} threshold
 */

/**
 * The lab's gate verdict (lab/gates/gate.ts) plus the k6 expression it came from. `op` and
 * `threshold` are absent only when the expression is not of the simple `stat op number` form.
 * @typedef {object} LabGate
 * @property {string} name
 * @property {string} metric dotted lab name when the (metric, stat) pair has one, else `k6.<metric>.<stat>`
 * @property {GateOp} [op]
 * @property {number} [threshold]
 * @property {number | null} value null when k6 reported no such metric or stat
 * @property {boolean} passed k6's own verdict (`thresholds[expression].ok`)
 * @property {string} [reason]
 * @property {string} k6Threshold e.g. `http_req_duration{expected_response:true}: p(99)<1000`
 */

/**
 * @typedef {object} LabShapedResult
 * @property {string} scenario
 * @property {string} startedAt
 * @property {string} finishedAt
 * @property {boolean} passed
 * @property {boolean} valid
 * @property {string} [invalidReason]
 * @property {Record<string, unknown>} options
 * @property {LabGate[]} gates
 * @property {Record<string, number>} metrics
 * @property {{ name: string, startMs: number, endMs: number }[]} phases
 * @property {Record<string, never>} timeline
 * @property {string[]} notes
 */

/**
 * How a script's k6 metrics become the lab's: lab dotted name → [k6 metric key, stat], e.g.
 * `'dedupe.hitRate': ['deduplicated', 'rate']`. Only pairs whose meaning matches the lab's
 * definition (lab/result-metrics.ts) belong here; everything else stays under `k6.`.
 * @typedef {Record<string, readonly [string, string]>} LabMetricMap
 */

/** Thresholds as declared in `options.thresholds` (string or object form). */
/** @typedef {Record<string, ReadonlyArray<string | { threshold: string }>>} DeclaredThresholds */

/**
 * @typedef {object} SummaryConfig
 * @property {string} scenario kebab-case, e.g. `k6-burst-duplicate-gets`
 * @property {Record<string, unknown>} [options] the settings the run used (URLs, sizes, rates)
 * @property {DeclaredThresholds} [thresholds] the script's `options.thresholds`: a declared
 *   threshold k6 reported nothing for still becomes a (failed) gate instead of vanishing
 * @property {LabMetricMap} [labMetrics]
 * @property {(metrics: Readonly<Record<string, number>>) => Record<string, number>} [derive]
 *   metrics computed from the mapped ones, e.g. expected notifications = writes × listeners
 * @property {Record<string, string>} [gateNames] k6 metric key → words for the gate's name
 * @property {string[]} [notes]
 * @property {Date} [finishedAt] defaults to now (`handleSummary` runs once the test has ended)
 */

const thresholdPattern =
  /^\s*([a-z]+(?:\(\s*\d+(?:\.\d+)?\s*\))?)\s*(===|==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;

/**
 * Parses a simple k6 threshold expression (`stat op number`); anything else (k6 accepts only this
 * form today, but a future one may not be) gives undefined and the gate keeps k6's verdict alone.
 * @param {string} expression e.g. `p(99)<500`, `rate>=0.99`, `count == 0`
 * @returns {ParsedThreshold | undefined}
 */
export function parseThreshold(expression) {
  const match = thresholdPattern.exec(expression);
  if (!match) return undefined;
  const [, rawStat = '', rawOp = '', rawValue = ''] = match;
  const threshold = Number(rawValue);
  if (!Number.isFinite(threshold)) return undefined;
  const op = /** @type {GateOp} */ (rawOp === '===' ? '==' : rawOp);
  return { stat: rawStat.replace(/\s+/g, ''), op, threshold };
}

/**
 * The raw-value name of a k6 metric's stat in the result, e.g. `k6.checks.rate`.
 * @param {string} metricKey
 * @param {string} stat
 */
export function k6MetricName(metricKey, stat) {
  return `k6.${metricKey}.${stat}`;
}

/**
 * @param {K6SummaryData} data
 * @param {string} metricKey
 * @param {string} stat
 * @returns {number | undefined}
 */
function statOf(data, metricKey, stat) {
  const value = data.metrics[metricKey]?.values[stat];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Every threshold k6 judged, plus any declared one it reported nothing for, in declaration order.
 * @param {K6SummaryData} data
 * @param {DeclaredThresholds | undefined} declared
 * @returns {[string, string][]} [metric key, expression]
 */
function thresholdsOf(data, declared) {
  /** @type {[string, string][]} */
  const out = [];
  const seen = new Set();
  const add = (/** @type {string} */ key, /** @type {string} */ expression) => {
    const id = `${key}\u0000${expression}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push([key, expression]);
  };
  for (const [key, list] of Object.entries(declared ?? {})) {
    for (const t of list) add(key, typeof t === 'string' ? t : t.threshold);
  }
  for (const [key, metric] of Object.entries(data.metrics)) {
    for (const expression of Object.keys(metric.thresholds ?? {})) add(key, expression);
  }
  return out;
}

/**
 * Maps k6's summary to the lab's result shape.
 * @param {K6SummaryData} data
 * @param {SummaryConfig} config
 * @returns {LabShapedResult}
 */
export function labResult(data, config) {
  const finished = config.finishedAt ?? new Date();
  const durationMs = data.state?.testRunDurationMs ?? 0;
  const started = new Date(finished.getTime() - Math.round(durationMs));

  /** @type {Record<string, number>} */
  const metrics = {};
  /** @type {Map<string, string>} `${k6 key} ${stat}` → lab name */
  const labNameOf = new Map();
  for (const [labName, [metricKey, stat]] of Object.entries(config.labMetrics ?? {})) {
    labNameOf.set(`${metricKey} ${stat}`, labName);
    const value = statOf(data, metricKey, stat);
    if (value !== undefined) metrics[labName] = value;
  }
  Object.assign(metrics, config.derive?.(metrics) ?? {});
  for (const [metricKey, metric] of Object.entries(data.metrics)) {
    for (const stat of Object.keys(metric.values)) {
      const value = statOf(data, metricKey, stat);
      if (value !== undefined) metrics[k6MetricName(metricKey, stat)] = value;
    }
  }

  /** @type {LabGate[]} */
  const gates = thresholdsOf(data, config.thresholds).map(([metricKey, expression]) => {
    const parsed = parseThreshold(expression);
    const words = config.gateNames?.[metricKey];
    const k6Threshold = `${metricKey}: ${expression}`;
    const name = words ? `${words} (${k6Threshold})` : k6Threshold;
    const verdict = data.metrics[metricKey]?.thresholds?.[expression];
    const value = parsed ? statOf(data, metricKey, parsed.stat) : undefined;
    const metric = parsed
      ? (labNameOf.get(`${metricKey} ${parsed.stat}`) ?? k6MetricName(metricKey, parsed.stat))
      : k6MetricName(metricKey, expression);
    /** @type {LabGate} */
    const gate = {
      name,
      metric,
      ...(parsed ? { op: parsed.op, threshold: parsed.threshold } : {}),
      value: value ?? null,
      passed: verdict?.ok === true,
      k6Threshold,
    };
    if (!verdict) gate.reason = 'k6 reported no verdict for this threshold (no samples of the metric)';
    else if (!verdict.ok) gate.reason = 'k6 judged the threshold crossed';
    return gate;
  });

  // The lab calls a run invalid when the load generator could not do what was asked; for k6 that
  // is an arrival-rate scenario that had to drop iterations (no free VU at the scheduled time).
  const dropped = statOf(data, 'dropped_iterations', 'count') ?? 0;
  return {
    scenario: config.scenario,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    passed: gates.every((g) => g.passed),
    valid: dropped === 0,
    ...(dropped > 0
      ? { invalidReason: `k6 dropped ${dropped} iteration(s): the load generator fell behind the schedule` }
      : {}),
    options: config.options ?? {},
    gates,
    metrics,
    phases: [],
    timeline: {},
    notes: config.notes ?? [],
  };
}

/** @param {number | null} value */
function show(value) {
  if (value === null) return 'not measured';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : String(Number(value.toPrecision(6)));
}

/**
 * A few lines for the terminal: the verdict, one line per gate (`PASS`/`FAIL name: value op
 * threshold`, as the lab prints them), the lab-named metrics and where the JSON went.
 * @param {LabShapedResult} result
 * @param {string} [resultPath]
 */
export function formatSummary(result, resultPath) {
  const seconds = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000;
  const status = !result.valid ? 'INVALID' : result.passed ? 'PASSED' : 'FAILED';
  const lines = [`${result.scenario}: ${status} in ${seconds.toFixed(1)} s`];
  if (result.invalidReason) lines.push(`  ${result.invalidReason}`);
  for (const gate of result.gates) {
    const against = gate.op === undefined ? '' : ` ${gate.op} ${show(gate.threshold ?? null)}`;
    lines.push(`  ${gate.passed ? 'PASS' : 'FAIL'} ${gate.name}: ${show(gate.value)}${against}`);
  }
  const labNamed = Object.entries(result.metrics).filter(([name]) => !name.startsWith('k6.'));
  if (labNamed.length > 0) {
    lines.push(`  ${labNamed.map(([name, value]) => `${name} ${show(value)}`).join(' · ')}`);
  }
  for (const note of result.notes) lines.push(`  note: ${note}`);
  if (resultPath) lines.push(`  result: ${resultPath}`);
  return `${lines.join('\n')}\n`;
}

/**
 * What a script's `handleSummary` returns: the short text on stdout and the lab-shaped JSON at
 * `resultPath`. k6 opens that file but creates no directory, so the path's folder must exist.
 * @param {K6SummaryData} data
 * @param {SummaryConfig & { resultPath: string }} config
 * @returns {Record<string, string>}
 */
export function summaryOutputs(data, config) {
  const result = labResult(data, config);
  return {
    stdout: formatSummary(result, config.resultPath),
    [config.resultPath]: `${JSON.stringify(result, null, 2)}\n`,
  };
}
