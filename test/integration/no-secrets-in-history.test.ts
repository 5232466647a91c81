import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type LogEntry, type Worker } from '@temporalio/worker';
import { createApp } from '../../api/app';
import { callbackUrl } from '../../activities/onboarding';
import type { ActivityDeps } from '../../activities';
import { SANDBOX_CLIENT_ID } from '../../banks/registry';
import { Consent, ConsentAttempt, Onboarding } from '../../db/entities';
import { startSandboxBank } from '../../sandbox/bank';
import { startSandboxKvk } from '../../sandbox/kvk';
import { createTenant, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startSmtpSink } from '../support/smtp-sink';
import { devServerEnvironment, TEST_TASK_QUEUE } from '../support/temporal';
import { createTestWorker, testActivityDeps } from '../support/worker';
import { decodeQuotedPrintable } from '../support/mail';
import { eventually } from '../support/eventually';

/**
 * DESIGN.md: "Never put a token, password or bank secret in workflow input, history or logs" (issue 6 items 1 and
 * 6). A full onboarding runs through the staff API, the client pages and the sandbox bank; then every workflow
 * history of the run (payloads decoded) and every line the API, the activities and the Temporal worker logged (at
 * the most verbose level) is searched for the activation-link token, the OAuth code and state, the PKCE verifier,
 * the bank's access and refresh tokens and the staff API key.
 */
const IBAN = 'NL69INGB0123456789';

/** Every log line of this run: the API's and the activities' pino output, and the Temporal SDK's own logger. */
const logLines: string[] = [];

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let bank: Awaited<ReturnType<typeof startSandboxBank>>;
let kvk: Awaited<ReturnType<typeof startSandboxKvk>>;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let deps: ActivityDeps;
let worker: Worker;
let running: Promise<void>;
let server: Server;
let baseUrl: string;
let office: Tenant;

function memoryLogger(name: string): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      callback();
    },
  });
  return pino({ name, level: 'trace' }, sink);
}

beforeAll(async () => {
  // Before anything creates the SDK's runtime: the worker's own log (workflow and activity loggers, failures with
  // their messages) goes to memory too, at its most verbose.
  Runtime.install({
    logger: new DefaultLogger('TRACE', (entry: LogEntry) => {
      logLines.push(JSON.stringify({ level: entry.level, message: entry.message, meta: entry.meta }, bytesAsText));
    }),
    shutdownSignals: [],
  });
  [db, env, bank, kvk, smtp] = await Promise.all([
    createTestDatabase(),
    devServerEnvironment(),
    startSandboxBank({ port: 0, seed: 7, maxFrequencyPerDay: 100 }),
    startSandboxKvk(0),
    startSmtpSink(),
  ]);
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  deps = {
    ...testActivityDeps({
      orm: db.orm,
      env,
      sandboxBankUrl: bank.url,
      kvkUrl: kvk.url,
      smtpUrl: smtp.url,
      publicBaseUrl: baseUrl,
    }),
    log: memoryLogger('worker'),
  };
  bank.admin.registerClient({ clientId: SANDBOX_CLIENT_ID, redirectUris: [callbackUrl(baseUrl)] });
  worker = await createTestWorker(env, deps);
  running = worker.run();
  server.on(
    'request',
    createApp(
      {
        orm: db.orm,
        temporal: env.client,
        taskQueue: TEST_TASK_QUEUE,
        temporalUiUrl: 'http://localhost:8233',
        namespace: env.namespace ?? 'default',
        tokenCipher: deps.tokenCipher,
        bankConnector: deps.bankConnector,
        publicBaseUrl: deps.publicBaseUrl,
        kvk: deps.kvk,
      },
      { log: memoryLogger('api'), publicBaseUrl: baseUrl },
    ),
  );
  office = await createTenant(db.orm, 'Administratiekantoor De Boekhouder');
});

afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), bank?.close(), kvk?.close(), smtp?.close()]);
  await db?.drop();
});

test('no token, code, state, verifier or bank token appears in any workflow history or log line of a full onboarding', async () => {
  const secrets: Record<string, string> = { 'staff API key': office.keys.staff };

  // Staff start it through the API; the client's link comes from the e-mail.
  const started = await fetch(`${baseUrl}/api/onboardings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${office.keys.staff}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      flavour: 'activation-link',
      environmentId: office.mainEnvironmentId,
      bank: 'INGB',
      client: { kvkNumber: '68750110', email: 'eigenaar@donald.test' },
      accountManager: { name: 'Anna de Vries', email: 'anna@boekhouder.test' },
    }),
  });
  expect(started.status).toBe(201);
  const { id: onboardingId, workflowId } = (await started.json()) as { id: string; workflowId: string };
  const mail = await eventually(() => smtp.messages.find((m) => m.to.includes('eigenaar@donald.test')));
  const link = new RegExp(`${baseUrl.replace(/[.]/g, '\\.')}/connect/([A-Za-z0-9_-]{43})`).exec(
    decodeQuotedPrintable(mail.raw),
  );
  if (!link) throw new Error('no activation link in the e-mail');
  secrets['activation link token'] = link[1]!;
  await eventually(async () => (await onboardingRow(onboardingId)).status === 'waiting_for_consent' || undefined);

  // The client: open the link (twice, like a mail scanner and then the person), press "Koppelen".
  await fetch(link[0]);
  const page = await fetch(link[0]);
  expect(page.status).toBe(200);
  const csrfCookie = page.headers
    .getSetCookie()
    .find((c) => c.startsWith('bk_csrf='))!
    .split(';')[0]!;
  const koppelen = await postForm(link[0], { csrf: hiddenField(await page.text(), 'csrf') }, csrfCookie);
  expect(koppelen.status).toBe(303);
  const authorize = new URL(koppelen.headers.get('location')!);
  secrets['OAuth state'] = authorize.searchParams.get('state')!;
  const attempt = await db.orm.em.fork().findOneOrFail(ConsentAttempt, { onboarding: onboardingId });
  secrets['PKCE verifier'] = deps.tokenCipher.decrypt(attempt.codeVerifierEncrypted);
  expect(deps.tokenCipher.decrypt(attempt.stateEncrypted)).toBe(secrets['OAuth state']);

  // At the bank: log in as the Owner, tick the account, sign; the redirect back carries the code.
  const callback = await consentAtBank(authorize, 'ing-owner', [IBAN]);
  expect(callback.searchParams.get('state')).toBe(secrets['OAuth state']);
  secrets['OAuth code'] = callback.searchParams.get('code')!;
  const returnCookie = koppelen.headers
    .getSetCookie()
    .find((c) => c.startsWith('bk_return='))!
    .split(';')[0]!;
  const done = await fetch(callback, { headers: { cookie: returnCookie } });
  expect(done.status).toBe(200);
  expect(await done.text()).toContain('<h1>Gelukt</h1>');

  // The consent's tokens, as stored (encrypted) after the exchange.
  const onboarding = await eventually(async () => {
    const row = await onboardingRow(onboardingId);
    return ['waiting_for_first_transaction', 'active'].includes(row.status) ? row : undefined;
  }, 60_000);
  const consent = await db.orm.em.fork().findOneOrFail(Consent, { bankConsentId: attempt.bankConsentId });
  secrets['bank access token'] = deps.tokenCipher.decrypt(consent.accessTokenEncrypted!);
  secrets['bank refresh token'] = deps.tokenCipher.decrypt(consent.refreshTokenEncrypted!);
  expect(onboarding.connection).not.toBeNull();

  // The first fetch (a child of the onboarding) has finished, so its history is complete.
  const firstFetch = `${workflowId}:fetch-first`;
  await env.client.workflow
    .getHandle(firstFetch)
    .result()
    .catch(() => undefined);
  for (const [name, value] of Object.entries(secrets))
    expect([name, typeof value, value.length >= 16]).toEqual([name, 'string', true]);

  // Every workflow of the run, as JSON with every payload decoded.
  const histories = await eventually(async () => {
    const found = new Map<string, string>();
    for await (const execution of env.client.workflow.list()) {
      const history = await env.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      found.set(`${execution.workflowId} (${execution.type})`, searchable(historyJson(history)));
    }
    return [...found.keys()].some((key) => key.startsWith(`${firstFetch} `)) &&
      [...found.keys()].some((key) => key.startsWith(`${workflowId} `))
      ? found
      : undefined;
  });
  const onboardingHistory = histories.get(`${workflowId} (onboardingWorkflow)`)!;
  // The search really looks at decoded payloads: the ids and step summaries the workflow does carry are found.
  expect(onboardingHistory).toContain(onboardingId);
  expect(onboardingHistory).toContain(attempt.id);
  expect(onboardingHistory).toContain('Wait for client consent until');
  expect(onboardingHistory).toContain('consented');
  expect(histories.get(`${firstFetch} (fetchTransactionsWorkflow)`)).toContain(onboarding.connection!.id);

  // The logs are there and say something.
  const apiLines = logLines
    .filter((line) => line.includes('"name":"api"'))
    .map(
      (line) =>
        JSON.parse(line) as {
          req?: { method: string; url: string };
          res?: { statusCode: number; headers: Record<string, string> };
        },
    );
  const requests = apiLines
    .filter((line) => line.req)
    .map((line) => `${line.req!.method} ${line.req!.url} ${line.res!.statusCode}`);
  // The bank's callback hands its code over, then redirects to the same page without the code, which shows the outcome.
  expect(requests).toEqual([
    'POST /api/onboardings 201',
    'GET /connect/[token] 200',
    'GET /connect/[token] 200',
    'POST /connect/[token] 303',
    'GET /connect/callback?… 303',
    'GET /connect/callback?… 200',
  ]);
  // The redirect to the bank is logged without its Location (it carries the state), and no cookie is logged.
  const toBank = apiLines.find((line) => line.res?.statusCode === 303)!;
  expect([toBank.res!.headers.location, toBank.res!.headers['set-cookie']]).toEqual(['[redacted]', '[redacted]']);
  expect(logLines.some((line) => line.includes('client returned from the bank'))).toBe(true);
  expect(logLines.some((line) => line.includes('onboardingWorkflow'))).toBe(true);

  const leaks: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      for (const [workflow, text] of histories)
        if (text.includes(form)) leaks.push(`${name} in the history of ${workflow}`);
      for (const line of logLines) if (searchable(line).includes(form)) leaks.push(`${name} in log line: ${line}`);
    }
  }
  expect(leaks).toEqual([]);
});

/** The history as JSON, bytes (payload data) as base64 and 64-bit numbers as strings. */
function historyJson(history: temporal.api.history.v1.IHistory): string {
  const type = temporal.api.history.v1.History;
  return JSON.stringify(type.toObject(type.fromObject(history), { bytes: String, longs: String, enums: String }));
}

function onboardingRow(id: string) {
  return db.orm.em.fork().findOneOrFail(Onboarding, { id });
}

/**
 * The JSON text plus the text of every base64 value in it: payloads (input, results, update arguments, memo,
 * search attributes, summaries) are base64 in a history's JSON and would hide a secret from a plain search.
 */
function searchable(json: string): string {
  const parts = [json];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= 4 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value))
        parts.push(Buffer.from(value, 'base64').toString('utf8'));
    } else if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(walk);
    }
  };
  try {
    walk(JSON.parse(json));
  } catch {
    // Not JSON: the plain text is all there is.
  }
  return parts.join('\n');
}

/** For the SDK's log entries: bytes (payload data in task logs) as their text, 64-bit numbers as strings. */
function bytesAsText(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  const buffer = value as { type?: unknown; data?: unknown };
  if (buffer && buffer.type === 'Buffer' && Array.isArray(buffer.data))
    return Buffer.from(buffer.data as number[]).toString('utf8');
  return value;
}

/** The client at the bank: log in, tick the accounts, sign; answers where the bank sends the browser back to. */
async function consentAtBank(authorize: URL, username: string, ibans: string[]): Promise<URL> {
  const loginPage = await (await fetch(authorize)).text();
  const afterLogin = await postForm(`${bank.url}/INGB/oauth/login`, {
    flow: hiddenField(loginPage, 'flow'),
    username,
    password: 'sandbox',
    action: 'login',
  });
  expect(afterLogin.status).toBe(200);
  const signed = await postForm(`${bank.url}/INGB/oauth/sign`, {
    flow: hiddenField(await afterLogin.text(), 'flow'),
    action: 'sign',
    accounts: ibans,
  });
  expect(signed.status).toBe(303);
  return new URL(signed.headers.get('location')!);
}

function hiddenField(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
  if (!value) throw new Error(`no ${name} field in page: ${html.slice(0, 500)}`);
  return value
    .replace(/&#x3D;/g, '=')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

function postForm(url: string, fields: Record<string, string | string[]>, cookie?: string): Promise<Response> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
  return fetch(url, { method: 'POST', body, redirect: 'manual', headers: cookie ? { cookie } : {} });
}
