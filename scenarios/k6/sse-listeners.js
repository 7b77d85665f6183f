// @ts-check
// SSE listeners for k6 built with the xk6-sse extension (https://github.com/phymbert/xk6-sse):
//   xk6 build --with github.com/phymbert/xk6-sse
//   ./k6 run -e NOTIFICATIONS_URL=http://localhost:5001 -e API_URL=http://localhost:5000 \
//            -e LISTENERS=500 -e WRITE_SEC=20 scenarios/k6/sse-listeners.js
// LISTENERS VUs each hold one stream of `student.created`; CONNECT_SEC later the writers create
// students at WRITE_RATE/s for WRITE_SEC. Every notification of this run's writes is counted once
// per listener, and its latency is measured from the envelope's `occurredAt` to its arrival (same
// clock when k6 runs on the machine of the services). handleSummary writes the result in the lab's
// shape to RESULT_JSON (default reports/k6-sse-listeners-latest.json).
//
// Listeners end with the writes, not at maxDuration. k6 gives the writers and the listeners no
// shared state, so the end comes from what both know: setup() fixes when the scenarios' clock
// starts, the writers' schedule is fixed by `options`, and so is the instant the last write's
// notification is due (writers' end + WRITE_TIMEOUT_SEC for the last write's answer + GRACE_SEC
// for its notification). A listener closes its stream at the earliest of:
// - a notification received for every write the writers are scheduled to make (setup passes the
//   count and this run's tag; each write carries the tag as its last name);
// - the first event after the deadline: notifications and the service's heartbeat comments
//   (HEARTBEAT_MS, 15 s by default) both reach the event callback, which checks the clock;
// - the stream's own timeout at the deadline (xk6-sse's `timeout`, which bounds the whole request):
//   it arrives as an error, and the error callback closes the stream.
// xk6-sse blocks the VU's event loop while a stream is open, so a k6 timer (k6/timers) would never
// fire there: the timeout is the bound that needs no event. An xk6-sse build without `timeout`
// ignores it, and the bound is then the deadline plus one heartbeat interval.
import http from 'k6/http';
import { check } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import sse from 'k6/x/sse';
import { summaryOutputs } from './lab-summary.js';

const notificationsUrl = __ENV.NOTIFICATIONS_URL || 'http://localhost:5001';
const apiUrl = __ENV.API_URL || 'http://localhost:5000';
const listeners = Number(__ENV.LISTENERS || 500);
/** Writes per second (k6's arrival rate is a whole number per `timeUnit`). */
const writeRate = Number(__ENV.WRITE_RATE || 2);
/** From the listeners' start to the first write: time for every stream to open. */
const connectSec = Number(__ENV.CONNECT_SEC || 5);
const writeSec = Number(__ENV.WRITE_SEC || 20);
/** Each write's timeout, and the writers' gracefulStop: the last write is answered by then. */
const writeTimeoutSec = Number(__ENV.WRITE_TIMEOUT_SEC || 5);
/** After the last write's answer, how long its notification may take to reach every listener. */
const graceSec = Number(__ENV.GRACE_SEC || 5);
const p99Ms = Number(__ENV.P99_MS || 500);
const resultPath = __ENV.RESULT_JSON || 'reports/k6-sse-listeners-latest.json';

/** Offset from the scenarios' start at which every listener closes. */
const listenUntilSec = connectSec + writeSec + writeTimeoutSec + graceSec;
/** An arrival-rate scenario starts one iteration every 1/rate s while under its duration. */
const scheduledWrites = Math.ceil(writeRate * writeSec);

const received = new Counter('notifications_received');
const latency = new Trend('notification_latency', true);
const listenersConnected = new Counter('listeners_connected');
const listenerErrors = new Counter('listener_errors');
const writesAccepted = new Counter('writes_accepted');

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    listeners: {
      executor: 'per-vu-iterations',
      vus: listeners,
      iterations: 1,
      exec: 'listen',
      // A backstop only: every listener has closed by listenUntilSec (see the header).
      maxDuration: `${listenUntilSec + 30}s`,
    },
    writers: {
      executor: 'constant-arrival-rate',
      rate: writeRate,
      timeUnit: '1s',
      duration: `${writeSec}s`,
      startTime: `${connectSec}s`,
      preAllocatedVUs: Math.max(2, Math.ceil(writeRate)),
      maxVUs: Math.ceil(writeRate * writeTimeoutSec) + 2,
      gracefulStop: `${writeTimeoutSec}s`,
      exec: 'write',
    },
  },
  thresholds: {
    notification_latency: [`p(99)<${p99Ms}`],
    notifications_received: ['count>0'],
    // A stream that broke before the deadline missed notifications it cannot get back.
    listener_errors: ['count==0'],
    checks: ['rate>0.99'],
  },
  // p(99) is what the latency threshold and the lab's `notifications.latency.p99Ms` read.
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

/**
 * @typedef {object} RunData
 * @property {string} runTag last name of every student this run writes, so listeners count only them
 * @property {number} scheduledWrites
 * @property {number} listenUntilMs when every listener closes, on the k6 machine's clock
 */

/**
 * Fixes the run's tag and the listeners' deadline; the scenarios' clock starts when this returns.
 * @returns {RunData}
 */
export function setup() {
  return {
    runTag: `k6-${Date.now().toString(36)}`,
    scheduledWrites,
    listenUntilMs: Date.now() + listenUntilSec * 1000,
  };
}

/** @param {RunData} data */
export function listen(data) {
  // A zero sample per metric, so k6 reports (and judges) them even when nothing happens.
  for (const counter of [received, listenersConnected, listenerErrors]) counter.add(0);
  /** @type {Set<string>} ids of this run's students whose notification arrived */
  const seen = new Set();
  let closed = false;
  const response = sse.open(
    `${notificationsUrl}/api/notifications/stream?types=student.created`,
    {
      timeout: `${Math.max(1, data.listenUntilMs - Date.now())}ms`,
      tags: { name: 'GET /api/notifications/stream' },
    },
    (client) => {
      const close = () => {
        closed = true;
        client.close();
      };
      client.on('event', (event) => {
        if (event.name === 'connected') listenersConnected.add(1);
        if (event.name === 'student.created') {
          const envelope = /** @type {{ occurredAt: string, payload: { id: string, lastName?: string } }} */ (
            JSON.parse(event.data)
          );
          if (envelope.payload.lastName === data.runTag && !seen.has(envelope.payload.id)) {
            seen.add(envelope.payload.id);
            received.add(1);
            latency.add(Date.now() - Date.parse(envelope.occurredAt));
          }
        }
        if (!closed && (seen.size >= data.scheduledWrites || Date.now() >= data.listenUntilMs)) close();
      });
      client.on('error', (e) => {
        if (closed) return;
        // The stream's timeout at the deadline arrives here too: that is the planned end.
        if (Date.now() < data.listenUntilMs - 100) {
          listenerErrors.add(1);
          console.error(`sse error: ${e.error()}`);
        }
        close();
      });
    },
  );
  const opened = check(response, { 'stream opened': (r) => r && r.status === 200 });
  // The service ending the stream early reaches no callback (sse.open just returns): count it too.
  if (opened && !closed && Date.now() < data.listenUntilMs - 100) listenerErrors.add(1);
}

/** @param {RunData} data */
export function write(data) {
  const res = http.post(
    `${apiUrl}/api/students`,
    JSON.stringify({
      firstName: 'K6',
      lastName: data.runTag,
      email: `${data.runTag}-${__VU}-${__ITER}@example.org`,
    }),
    {
      headers: { 'Content-Type': 'application/json' },
      timeout: `${writeTimeoutSec}s`,
      tags: { name: 'POST /api/students' },
    },
  );
  writesAccepted.add(check(res, { 'student created': (r) => r.status === 201 }) ? 1 : 0);
}

/** @param {import('./lab-summary.js').K6SummaryData} data */
export function handleSummary(data) {
  return summaryOutputs(data, {
    scenario: 'k6-sse-listeners',
    resultPath,
    options: {
      notificationsUrl,
      apiUrl,
      listeners,
      writeRate,
      connectSec,
      writeSec,
      writeTimeoutSec,
      graceSec,
      p99Ms,
    },
    thresholds: options.thresholds,
    labMetrics: {
      'notifications.latency.p99Ms': ['notification_latency', 'p(99)'],
      'notifications.delivered': ['notifications_received', 'count'],
      'listeners.connected': ['listeners_connected', 'count'],
      'events.accepted': ['writes_accepted', 'count'],
    },
    derive(m) {
      /** @type {Record<string, number>} */
      const out = {};
      const writes = m['events.accepted'];
      const connected = m['listeners.connected'];
      if (writes !== undefined && connected !== undefined) out['notifications.expected'] = writes * connected;
      return out;
    },
    gateNames: {
      notification_latency: 'notification p99 from occurredAt',
      notifications_received: 'notifications arrive',
      listener_errors: 'no stream breaks before the writes end',
      checks: 'checks pass',
    },
    notes: [
      "notifications.latency.p99Ms counts from the envelope's occurredAt, not from the write's intended send as the lab does",
      'listeners.connected counts streams that got the `connected` frame; notifications.expected assumes all of them were open before the first write',
    ],
  });
}
