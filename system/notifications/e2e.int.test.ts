import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../contracts/envelope.ts';
import { startHarness, type NotificationsHarness } from './testing/notifications-harness.ts';
import { openSse } from './testing/sse-test-client.ts';
import { startSystemProcess, type SystemProcess } from './testing/system-processes.ts';

// The whole chain: POST /api/students on the real API → outbox → students.events → worker →
// `notifications` exchange → this service's own queue → SSE, Socket.IO and the test pages. The
// notifications instance binds the real exchange with its own exclusive queue and picks out this
// test's notifications by correlation id (other engineers' traffic flows there too).
let api: SystemProcess;
let worker: SystemProcess;
let h: NotificationsHarness;
let browser: Browser;

beforeAll(async () => {
  [api, worker] = await Promise.all([startSystemProcess('api'), startSystemProcess('worker')]);
  h = await startHarness({ NOTIFICATIONS_EXCHANGE: 'notifications', API_BASE_URL: api.baseUrl });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'].concat(
      '--disable-component-update --disable-sync --no-first-run'.split(' '),
    ),
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  await Promise.all([api?.stop(), worker?.stop()]);
});

const createStudent = (correlationId: string) =>
  fetch(`${api.baseUrl}/api/students`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify({
      firstName: 'Grace',
      lastName: 'Hopper',
      email: `grace.${correlationId}@example.test`,
    }),
  });

async function openPage(path: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${h.baseUrl}${path}`);
  await page.locator('#status.ok').waitFor({ timeout: 15_000 });
  return page;
}

describe('end to end through the real API and worker', () => {
  it('delivers the notification of one POST /api/students on both transports with the same envelope', async () => {
    const sse = openSse(`${h.baseUrl}/api/notifications/stream`);
    const socket = h.socketClient();
    const fromSocket: Envelope[] = [];
    socket.on('student.created', (envelope) => fromSocket.push(envelope));
    await sse.connected;
    await new Promise((resolve) => socket.once('connected', resolve));

    const correlationId = `e2e-${randomUUID()}`;
    const response = await createStudent(correlationId);
    expect(response.status).toBe(201);
    const student = (await response.json()) as { id: string };
    const ours = (e: Envelope) => e.correlationId === correlationId && e.type === 'student.created';
    const sseOurs = () =>
      sse
        .notifications()
        .map((e) => JSON.parse(e.data) as Envelope)
        .filter(ours);
    await h.waitFor(
      () => sseOurs().length >= 1 && fromSocket.filter(ours).length >= 1,
      30_000,
      'e2e delivery',
    );

    const [viaSse] = sseOurs();
    expect(viaSse?.payload.id).toBe(student.id);
    expect(fromSocket.filter(ours)[0]).toEqual(viaSse);
    sse.close();
    socket.disconnect();
  });

  it('shows, on both test pages in Chromium, the notification of a POST made from the page', async () => {
    const ssePage = await openPage('/sse-test.html');
    const socketPage = await openPage('/socketio-test.html');
    await ssePage.locator('#student-form button[type=submit]').click();
    const result = ssePage.locator('#post-result[data-status="201"]');
    await result.waitFor({ timeout: 15_000 });
    const correlationId = (await result.getAttribute('data-correlation-id')) ?? 'missing';
    const traceId = (await result.getAttribute('data-trace-id')) ?? 'missing';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    for (const page of [ssePage, socketPage]) {
      const row = page.locator('#events tr[data-type="student.created"]', { hasText: correlationId });
      await row.first().waitFor({ timeout: 30_000 });
      const cells = await row.first().locator('td').allTextContents();
      expect(cells[4]).toBe(correlationId);
      // The trace the page started travels with the write to every notification it causes.
      expect(cells[6]).toBe(traceId);
    }
    await ssePage.close();
    await socketPage.close();
  });
});
