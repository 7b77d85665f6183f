import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type NotificationsHarness } from './testing/notifications-harness.ts';

// Headless Debian Chromium against the running service: both test pages, a notification from the
// real exchange, and the page's own "create a student" form going through the service's proxy.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let h: NotificationsHarness;
let browser: Browser;
let standInApi: Server;
const posted: { correlationId: string; body: Record<string, string> }[] = [];

/**
 * Stands in for the Business API (system/api is built in parallel): answers POST /api/students with
 * 201 and publishes the resulting notification, carrying the request's correlation id, as the
 * worker would after the real API's outbox → students.events → worker chain.
 */
function startStandInApi(): Promise<number> {
  standInApi = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const correlationId = String(req.headers['x-correlation-id'] ?? 'none');
      const body = JSON.parse(raw) as Record<string, string>;
      posted.push({ correlationId, body });
      const envelope = h.publish({ correlationId, type: 'student.created' });
      res.writeHead(201, {
        'content-type': 'application/json',
        location: `/api/students/${envelope.payload.id}`,
      });
      res.end(JSON.stringify(envelope.payload));
    });
  });
  return new Promise((resolve) =>
    standInApi.listen(0, '127.0.0.1', () => resolve((standInApi.address() as AddressInfo).port)),
  );
}

beforeAll(async () => {
  const apiPort = await startStandInApi();
  h = await startHarness({ API_BASE_URL: `http://127.0.0.1:${apiPort}` });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
  await new Promise((resolve) => standInApi?.close(resolve));
});

async function openPage(path: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${h.baseUrl}${path}`);
  await page.locator('#status.ok').waitFor({ timeout: 10_000 });
  expect(errors).toEqual([]);
  return page;
}

const row = (page: Page, messageId: string) => page.locator(`#events tr[data-message-id="${messageId}"]`);

describe('test pages in headless Chromium', () => {
  it('shows a published notification on both pages, as text', async () => {
    const sse = await openPage('/sse-test.html');
    const socket = await openPage('/socketio-test.html');
    // Markup in the payload must come out as text, never as elements.
    const envelope = h.publish({ correlationId: 'corr-<b>browser</b>' });

    for (const page of [sse, socket]) {
      const cells = row(page, envelope.messageId).locator('td');
      await cells.first().waitFor({ timeout: 10_000 });
      expect(await cells.allTextContents()).toEqual([
        expect.any(String),
        'student.created',
        envelope.payload.id,
        'Ada Lovelace',
        'corr-<b>browser</b>',
        envelope.messageId,
        // no trace context on this notification: an empty trace id cell
        '',
      ]);
      expect(await page.locator('#events b').count()).toBe(0);
    }
    await sse.close();
    await socket.close();
  });

  it('serves the index, the Socket.IO client script itself, and links to the API routes', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.baseUrl}/`);
    const links = await page
      .locator('#api-links a')
      .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links).toContain(`${h.config.API_BASE_URL}/api/students?limit=20`);
    expect((await fetch(`${h.baseUrl}/hubs/notifications/socket.io.min.js`)).status).toBe(200);
    await page.close();
  });

  it('posts the form through the proxy and shows the resulting notification with its correlation id', async () => {
    const page = await openPage('/sse-test.html');
    await page.locator('#student-form button[type=submit]').click();
    await page.locator('#post-result').filter({ hasText: '→ 201' }).waitFor({ timeout: 10_000 });
    const last = posted.at(-1);
    expect(last?.body).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace' });
    const cells = page.locator('#events tr').first().locator('td');
    await page.locator('#events tr').first().waitFor({ timeout: 10_000 });
    expect((await cells.allTextContents())[4]).toBe(last?.correlationId);
    await page.close();
  });
});
