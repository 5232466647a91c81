import { randomUUID } from 'node:crypto';
import type { Browser, Request } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startCodecServer, type CodecServer } from '../../bin/stack/codec-server';
import { createPayloadCodec } from '../../bin/stack/payload-codec';
import { freePort } from '../../bin/stack/provision';
import { launchChromium } from '../support/browser';
import { testKeys } from '../support/keys';
import { devServerEnvironment } from '../support/temporal';

/**
 * Issue 12: histories are encrypted, and support still reads them in clear words in the Temporal UI, which decodes
 * through the codec endpoint `npm start` gives it (`--ui-codec-endpoint`). Only the UI's own origin is answered.
 */
jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
let codec: CodecServer;
let browser: Browser;
let uiPort: number;
const workflowId = `onboarding:${randomUUID()}`;
const onboardingId = workflowId.slice('onboarding:'.length);

beforeAll(async () => {
  uiPort = await freePort();
  codec = await startCodecServer({
    codec: createPayloadCodec(testKeys),
    port: 0,
    uiOrigin: `http://localhost:${uiPort}`,
  });
  [env, browser] = await Promise.all([
    devServerEnvironment({ ui: { port: uiPort, codecEndpoint: codec.url } }),
    launchChromium(),
  ]);
  // No worker: the start alone writes the input and the summary into the history, encrypted by the client.
  await env.client.workflow.start('onboardingWorkflow', {
    taskQueue: 'nobody-polls',
    workflowId,
    args: [{ onboardingId, organizationId: randomUUID(), flavour: 'serial' }],
    staticSummary: 'Onboarding of KvK 68750110 at INGB by serial number',
  });
});

afterAll(async () => {
  await browser?.close();
  await env?.teardown();
  await codec?.close();
});

/**
 * The workflow's page as the browser shows it once the UI has had the codec endpoint's answer (or refusal) and then
 * shows `shown`, or `waitMs` has passed.
 */
async function workflowPage(host: string, shown: string, waitMs = 30_000): Promise<string> {
  const page = await browser.newPage();
  try {
    const codecAnswered = new Promise<void>((resolve) => {
      const done = (request: Request) => void (request.url().startsWith(codec.url) && resolve());
      page.on('requestfinished', done);
      page.on('requestfailed', done);
    });
    await page.goto(`http://${host}:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await codecAnswered;
    // Polled from here: the UI's Content-Security-Policy refuses the string a waitForFunction would evaluate.
    const deadline = Date.now() + waitMs;
    let text = await page.locator('body').innerText();
    while (!text.includes(shown) && Date.now() < deadline) {
      await page.waitForTimeout(250);
      text = await page.locator('body').innerText();
    }
    return text;
  } finally {
    await page.close();
  }
}

test('the UI shows the encrypted input in clear words through the codec endpoint', async () => {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const stored = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  expect(Buffer.from(stored.metadata!.encoding!).toString()).toBe('binary/encrypted');

  const text = await workflowPage('localhost', `"onboardingId": "${onboardingId}"`);
  expect(text).toContain(`"onboardingId": "${onboardingId}"`);
  expect(text).toContain('"flavour": "serial"');
  expect(text).not.toContain('binary/encrypted');
});

test('a page from another origin gets nothing decoded', async () => {
  // Given as long to show the input as the UI's own origin needs many times over.
  const text = await workflowPage('127.0.0.1', `"onboardingId": "${onboardingId}"`, 5_000);
  expect(text).toContain('Input');
  expect(text).not.toContain(`"onboardingId": "${onboardingId}"`);
});
