// @ts-check
// k6 version of the `burst-duplicate-gets` scenario, for users who run k6:
//   k6 run -e API_URL=http://localhost:5000 -e WAVE_SIZE=200 -e WAVES=10 scenarios/k6/burst-duplicate-gets.js
// Each wave is WAVE_SIZE identical concurrent GETs of a key no one has read yet (a cold key). The
// de-duplicating API executes one of them and answers the rest with `X-Deduplicated: true`; the
// thresholds fail the run when it does not, and handleSummary writes the result in the lab's shape
// to RESULT_JSON (default reports/k6-burst-duplicate-gets-latest.json).
//
// How the waves are synchronised, and what k6 can and cannot give:
// - The data comes from setup(): one cold student per wave, and the instant the scenarios' clock
//   starts (setup's return: k6 starts the scenarios right after it). Every wave's timing counts
//   from that instant, not from when a VU happened to start.
// - Each wave is its own scenario (`wave_<i>`): WAVE_SIZE VUs, one iteration each, started by k6 at
//   a fixed offset. maxDuration with gracefulStop 0 ends the wave before the next wave's startTime,
//   so wave i + 1 never starts while wave i has a request in flight; a request still unanswered by
//   then is cut and shows as a missing response (the `wave_responses` threshold), never as two
//   waves blurred into one. Waves that do not overlap also share the same WAVE_SIZE VUs.
// - Inside a wave k6 has no barrier between VUs. Each VU sleeps until the wave's fire instant
//   (setup's instant + the wave's offset + WAVE_LEAD_MS, the lead covering the VUs' start) and
//   sends then; the VUs of one k6 process read one clock, so they fire within a few milliseconds of
//   each other, not at a single instant. The de-duplication window is what a wave must fall into.
// - The offsets cannot be measured at run time: k6 fixes scenario timing when it reads `options`,
//   before setup() runs. So the wave's budget is declared (WAVE_TIMEOUT_MS, also each GET's
//   timeout), and a budget too small for the machine fails a threshold instead of going unseen.
// - k6 cannot see the worker's `student.cached` notifications (that needs the SSE extension), so
//   the first wave waits SETTLE_MS after setup for the worker to re-cache the created students;
//   the lab's scenario waits for the notifications themselves.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { summaryOutputs } from './lab-summary.js';

const apiUrl = __ENV.API_URL || 'http://localhost:5000';
const waveSize = Number(__ENV.WAVE_SIZE || 200);
const waves = Number(__ENV.WAVES || 10);
/** A wave's budget for its responses, counted from its fire instant; also each GET's timeout. */
const waveTimeoutMs = Number(__ENV.WAVE_TIMEOUT_MS || 1500);
/** From a wave's scenario start to its fire instant: time for its VUs to be running and waiting. */
const waveLeadMs = Number(__ENV.WAVE_LEAD_MS || 250);
/** Quiet time between one wave's end and the next one's start. */
const wavePauseMs = Number(__ENV.WAVE_PAUSE_MS || 250);
/** From setup's end to the first wave: the worker re-caches the students setup created. */
const settleMs = Number(__ENV.SETTLE_MS || 2000);
const p99Ms = Number(__ENV.P99_MS || 1000);
const resultPath = __ENV.RESULT_JSON || 'reports/k6-burst-duplicate-gets-latest.json';

/** @param {number} wave offset of the wave's scenario from the scenarios' start */
const waveStartMs = (wave) => settleMs + wave * (waveLeadMs + waveTimeoutMs + wavePauseMs);

const deduplicated = new Rate('deduplicated');
const waveResponses = new Counter('wave_responses');
/** From the wave's fire instant (the intended send) to the response, as the lab measures. */
const waveLatency = new Trend('wave_latency', true);
const executedLatency = new Trend('executed_latency', true);
const deduplicatedLatency = new Trend('deduplicated_latency', true);

/** @type {Record<string, import('k6/options').PerVUIterationsScenario>} */
const waveScenarios = {};
for (let i = 0; i < waves; i++) {
  waveScenarios[`wave_${i}`] = {
    executor: 'per-vu-iterations',
    vus: waveSize,
    iterations: 1,
    exec: 'wave',
    startTime: `${waveStartMs(i)}ms`,
    maxDuration: `${waveLeadMs + waveTimeoutMs}ms`,
    gracefulStop: '0s',
    env: { WAVE: String(i) },
    tags: { wave: String(i) },
  };
}

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: waveScenarios,
  thresholds: {
    // One executed request per wave: the hit rate is (WAVE_SIZE - 1) / WAVE_SIZE at best.
    deduplicated: [`rate>=${((waveSize - 1) / waveSize) * 0.99}`],
    // Every GET of every wave answered inside its wave's budget.
    wave_responses: [`count>=${waves * waveSize}`],
    wave_latency: [`p(99)<${p99Ms}`],
    http_req_failed: ['rate<0.001'],
    checks: ['rate>0.99'],
  },
  // p(99) is what the latency threshold and the lab's `http.latency.p99Ms` read.
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

/** Creates one cold student per wave; the scenarios' clock starts when this returns. */
export function setup() {
  const ids = [];
  for (let i = 0; i < waves; i++) {
    const res = http.post(
      `${apiUrl}/api/students`,
      JSON.stringify({
        firstName: 'K6',
        lastName: `Wave${i}`,
        email: `k6-wave-${i}-${Date.now()}@example.org`,
      }),
      { headers: { 'Content-Type': 'application/json' } },
    );
    if (!check(res, { 'student created': (r) => r.status === 201 })) {
      throw new Error(`POST /api/students answered HTTP ${res.status}: ${String(res.body).slice(0, 200)}`);
    }
    ids.push(/** @type {{id: string}} */ (res.json()).id);
  }
  return { ids, scenariosStartMs: Date.now() };
}

/**
 * One VU's GET of its wave: wait for the wave's fire instant, then send.
 * @param {{ ids: string[], scenariosStartMs: number }} data
 */
export function wave(data) {
  const index = Number(__ENV.WAVE);
  const fireAtMs = data.scenariosStartMs + waveStartMs(index) + waveLeadMs;
  const waitMs = fireAtMs - Date.now();
  if (waitMs > 0) sleep(waitMs / 1000);
  const res = http.get(`${apiUrl}/api/students/${data.ids[index]}`, {
    tags: { name: 'GET /api/students/{id}' },
    timeout: Math.max(1, fireAtMs + waveTimeoutMs - Date.now()),
  });
  check(res, { 'status is 200': (r) => r.status === 200 });
  // Status 0 is no response (timed out): it counts against `wave_responses`, not the hit rate,
  // which is the share of responses carrying the header.
  if (res.status === 0) return;
  waveResponses.add(1);
  waveLatency.add(Date.now() - fireAtMs);
  const isDeduplicated = res.headers['X-Deduplicated'] === 'true';
  deduplicated.add(isDeduplicated);
  (isDeduplicated ? deduplicatedLatency : executedLatency).add(res.timings.duration);
}

/** @param {import('./lab-summary.js').K6SummaryData} data */
export function handleSummary(data) {
  return summaryOutputs(data, {
    scenario: 'k6-burst-duplicate-gets',
    resultPath,
    options: { apiUrl, waveSize, waves, waveTimeoutMs, waveLeadMs, wavePauseMs, settleMs, p99Ms },
    thresholds: options.thresholds,
    labMetrics: {
      'dedupe.hitRate': ['deduplicated', 'rate'],
      'http.latency.p99Ms': ['wave_latency', 'p(99)'],
    },
    gateNames: {
      deduplicated: 'cold bursts are de-duplicated (client hit rate)',
      wave_responses: 'every GET answered within its wave',
      wave_latency: 'p99 from the fire instant',
      http_req_failed: 'HTTP errors',
      checks: 'checks pass',
    },
    notes: [
      "http.latency.p99Ms counts from each wave's fire instant (its intended send), to the millisecond of Date.now()",
    ],
  });
}
