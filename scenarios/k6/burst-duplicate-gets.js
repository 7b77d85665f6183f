// @ts-check
// k6 version of the `burst-duplicate-gets` scenario, for users who run k6:
//   k6 run -e API_URL=http://localhost:5000 -e WAVE_SIZE=200 -e WAVES=10 scenarios/k6/burst-duplicate-gets.js
// Every VU fires one GET per wave at the same instant, on a key no one has read yet (a cold key), so
// each wave is WAVE_SIZE identical concurrent requests. The de-duplicating API executes one of them
// and answers the rest with `X-Deduplicated: true`; the thresholds fail the run when it does not.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Rate, Trend } from 'k6/metrics';

const apiUrl = __ENV.API_URL || 'http://localhost:5000';
const waveSize = Number(__ENV.WAVE_SIZE || 200);
const waves = Number(__ENV.WAVES || 10);
/** Seconds between wave starts; long enough for a wave to finish on a small machine. */
const waveIntervalSec = Number(__ENV.WAVE_INTERVAL_SEC || 2);

const deduplicated = new Rate('deduplicated');
const executedLatency = new Trend('executed_latency', true);
const deduplicatedLatency = new Trend('deduplicated_latency', true);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    waves: {
      executor: 'per-vu-iterations',
      vus: waveSize,
      iterations: waves,
      maxDuration: `${waves * waveIntervalSec + 60}s`,
    },
  },
  thresholds: {
    // One executed request per wave: the hit rate is (WAVE_SIZE - 1) / WAVE_SIZE at best.
    deduplicated: [`rate>=${((waveSize - 1) / waveSize) * 0.99}`],
    http_req_failed: ['rate<0.001'],
    'http_req_duration{expected_response:true}': ['p(99)<1000'],
  },
};

/** Creates one cold student per wave and fixes the time every wave starts at. */
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
    check(res, { 'student created': (r) => r.status === 201 });
    ids.push(/** @type {{id: string}} */ (res.json()).id);
  }
  return { ids, startAtMs: Date.now() + 3000 };
}

/** @param {{ ids: string[], startAtMs: number }} data */
export default function (data) {
  const wave = __ITER;
  const waitMs = data.startAtMs + wave * waveIntervalSec * 1000 - Date.now();
  if (waitMs > 0) sleep(waitMs / 1000);
  const res = http.get(`${apiUrl}/api/students/${data.ids[wave]}`, {
    tags: { name: 'GET /api/students/{id}' },
  });
  const isDeduplicated = res.headers['X-Deduplicated'] === 'true';
  deduplicated.add(isDeduplicated);
  (isDeduplicated ? deduplicatedLatency : executedLatency).add(res.timings.duration);
  check(res, { 'status is 200': (r) => r.status === 200 });
}
