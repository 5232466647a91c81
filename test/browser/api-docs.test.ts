import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestApp } from '../support/api-fixture';
import { launchChromium, watchForProblems } from '../support/browser';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { devServerEnvironment } from '../support/temporal';

/**
 * /api/docs in Debian's Chromium (issue 10 item 7): Swagger UI renders the OpenAPI document under the app's own
 * Content-Security-Policy (a violation shows as a console error), and nothing is fetched from another origin.
 */
jest.setTimeout(120_000);

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let server: Server;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), devServerEnvironment()]);
  server = createServer(createTestApp(db.orm, env)).listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  await env?.teardown();
  await db?.drop();
});

test('Swagger UI shows both flavours as examples, loads nothing from elsewhere, breaks no CSP rule', async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  try {
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(`${baseUrl}/`) && !request.url().startsWith('data:')) elsewhere.push(request.url());
    });

    expect((await page.goto(`${baseUrl}/api/docs`))?.status()).toBe(200);
    const start = page.locator('.opblock-post', { has: page.locator('[data-path="/api/onboardings"]') });
    await start.locator('.opblock-summary').click();
    const examples = start.locator('.opblock-section-request-body .examples-select-element');
    await examples.waitFor();
    const options = await examples.locator('option').allTextContents();
    expect(options.map((option) => option.split(':')[0])).toEqual(['Activation link', 'Serial number']);
    for (const status of ['201', '400', '404', '409', '415', '422', '429']) {
      await expect(start.locator(`.responses-table tr[data-code="${status}"]`).count()).resolves.toBe(1);
    }
    expect(await page.locator('[data-path="/api/onboardings/{id}/cancel"]').count()).toBe(1);

    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});
