// @ts-check
// SSE listeners for k6 built with the xk6-sse extension (https://github.com/phymbert/xk6-sse):
//   xk6 build --with github.com/phymbert/xk6-sse
//   ./k6 run -e NOTIFICATIONS_URL=http://localhost:5001 -e API_URL=http://localhost:5000 \
//            -e LISTENERS=500 -e DURATION_SEC=30 scenarios/k6/sse-listeners.js
// Each VU holds one stream for DURATION_SEC; one extra VU writes students at WRITE_RATE/s. Every
// notification's latency is measured from the envelope's `occurredAt` to its arrival (same clock
// when k6 runs on the machine of the services).
import http from 'k6/http';
import { check } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import sse from 'k6/x/sse';

const notificationsUrl = __ENV.NOTIFICATIONS_URL || 'http://localhost:5001';
const apiUrl = __ENV.API_URL || 'http://localhost:5000';
const listeners = Number(__ENV.LISTENERS || 500);
const durationSec = Number(__ENV.DURATION_SEC || 30);
const writeRate = Number(__ENV.WRITE_RATE || 2);

const received = new Counter('notifications_received');
const latency = new Trend('notification_latency', true);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    listeners: {
      executor: 'per-vu-iterations',
      vus: listeners,
      iterations: 1,
      exec: 'listen',
      maxDuration: `${durationSec + 30}s`,
    },
    writers: {
      executor: 'constant-arrival-rate',
      rate: writeRate,
      timeUnit: '1s',
      duration: `${Math.max(1, durationSec - 10)}s`,
      startTime: '5s',
      preAllocatedVUs: 5,
      exec: 'write',
    },
  },
  thresholds: {
    notification_latency: ['p(99)<500'],
    notifications_received: [`count>0`],
  },
};

export function listen() {
  const started = Date.now();
  const response = sse.open(
    `${notificationsUrl}/api/notifications/stream?types=student.created`,
    {},
    (client) => {
      client.on('event', (event) => {
        if (event.name === 'student.created') {
          const envelope = JSON.parse(event.data);
          received.add(1);
          latency.add(Date.now() - Date.parse(envelope.occurredAt));
        }
        if (Date.now() - started > durationSec * 1000) client.close();
      });
      client.on('error', (e) => console.error(`sse error: ${e.error()}`));
    },
  );
  check(response, { 'stream opened': (r) => r && r.status === 200 });
}

export function write() {
  const res = http.post(
    `${apiUrl}/api/students`,
    JSON.stringify({
      firstName: 'K6',
      lastName: 'Listener',
      email: `k6-${__VU}-${__ITER}-${Date.now()}@example.org`,
    }),
    { headers: { 'Content-Type': 'application/json' } },
  );
  check(res, { 'student created': (r) => r.status === 201 });
}
