import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { Consent, ConsentAttempt, Onboarding } from '../../db/entities';
import { createTenant, type Tenant } from '../support/api-fixture';
import { linkMailedTo } from '../support/mail';
import { startOnboardingThroughApi } from '../support/onboarding';
import { eventually } from '../support/eventually';
import { decodedHistory, historyJson } from '../support/history';
import { consentAtBank } from '../support/sandbox-consent';
import { csrfCookie, hiddenField, postForm, setCookie } from '../support/visitor';
import { startWorld, type World } from '../support/world';

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

let world: World;
let db: World['db'];
let env: World['env'];
let deps: World['deps'];
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
  world = await startWorld({ seed: 7, workerLog: memoryLogger('worker'), apiLog: memoryLogger('api') });
  ({ db, env, deps } = world);
  office = await createTenant(db.orm, 'Administratiekantoor De Boekhouder');
});

afterAll(async () => {
  await world?.stop();
});

test('no token, code, state, verifier or bank token appears in any workflow history or log line of a full onboarding', async () => {
  const secrets: Record<string, string> = { 'staff API key': office.keys.staff };

  // Staff start it through the API; the client's link comes from the e-mail.
  const { id: onboardingId, workflowId } = await startOnboardingThroughApi(world, office, 'eigenaar@donald.test');
  const link = await linkMailedTo(world, 'eigenaar@donald.test');
  secrets['activation link token'] = link.slice(link.lastIndexOf('/') + 1);
  await eventually(async () => (await onboardingRow(onboardingId)).status === 'waiting_for_consent' || undefined);

  // The client: open the link (twice, like a mail scanner and then the person), press "Koppelen".
  await fetch(link);
  const page = await fetch(link);
  expect(page.status).toBe(200);
  const koppelen = await postForm(link, { csrf: hiddenField(await page.text(), 'csrf') }, csrfCookie(page));
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
  const browser = setCookie(koppelen, 'bk_consent');
  secrets['browser nonce'] = browser.slice(browser.indexOf('=') + 1);
  const done = await fetch(callback, { headers: { cookie: `${setCookie(koppelen, 'bk_return')}; ${browser}` } });
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

  // Every workflow of the run, as JSON with every payload decoded (the codec encrypts them: test/support/history.ts).
  const histories = await eventually(async () => {
    const found = new Map<string, string>();
    for await (const execution of env.client.workflow.list()) {
      const history = await env.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      found.set(`${execution.workflowId} (${execution.type})`, searchable(historyJson(await decodedHistory(history))));
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
