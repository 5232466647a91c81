import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { ActivationLink, EmailMessage, MessageTemplate, Onboarding } from '../../db/entities';
import { startSandboxKvk } from '../../sandbox/kvk';
import { emailTemplateSource } from '../../templates/render';
import { callApi, createTestApp, createTenant, type ApiAnswer, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startSmtpSink } from '../support/smtp-sink';
import { devServerEnvironment } from '../support/temporal';
import { createTestWorker, testActivityDeps } from '../support/worker';
import { decodeQuotedPrintable } from '../support/mail';
import { eventually } from '../support/eventually';

/**
 * R-A6: the "bank activation message" per organization, through the staff API, used by the onboarding's
 * activation and reminder e-mails, and checked by the prepare step. Real app, worker, dev server, PostgreSQL,
 * SMTP sink and sandbox KvK.
 */
let db: TestDatabase;
let env: TestWorkflowEnvironment;
let kvk: Awaited<ReturnType<typeof startSandboxKvk>>;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let deps: ActivityDeps;
let worker: Worker;
let running: Promise<void>;
let server: Server;
let baseUrl: string;
let office: Tenant;
let otherOffice: Tenant;

const PATH = '/api/message-templates/bank-activation';

const OWN_NL = {
  language: 'nl',
  subject: 'Koppel {{companyName}} aan {{officeName}} ({{bankName}})',
  body: [
    'Beste klant van {{officeName}},',
    '',
    'Wilt u voor {{companyName}} (KvK {{kvkNumber}}) de koppeling met {{bankName}} aanzetten? Het kost u twee minuten.',
    '',
    'Klik hier: {{activationUrl}}',
    '',
    'Geldig tot {{deadline}}.{{#if accountManagerName}} Uw contactpersoon: {{accountManagerName}}.{{/if}}',
  ].join('\n'),
};

beforeAll(async () => {
  [db, env, kvk, smtp] = await Promise.all([
    createTestDatabase(),
    devServerEnvironment(),
    startSandboxKvk(0),
    startSmtpSink(),
  ]);
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  deps = testActivityDeps({ orm: db.orm, env, kvkUrl: kvk.url, smtpUrl: smtp.url, publicBaseUrl: baseUrl });
  worker = await createTestWorker(env, deps);
  running = worker.run();
  server.on('request', createTestApp(db.orm, env, { deps }));
  [office, otherOffice] = await Promise.all([
    createTenant(db.orm, 'Administratiekantoor De Boekhouder'),
    createTenant(db.orm, 'Kantoor Zuid & Co'),
  ]);
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), kvk?.close(), smtp?.close()]);
  await db?.drop();
});

type Answer = ApiAnswer;

function call(method: 'GET' | 'PUT' | 'DELETE' | 'POST', path: string, key: string, body?: unknown): Promise<Answer> {
  return callApi(baseUrl, method, path, key, body);
}

function template(answer: Answer, language: 'nl' | 'en') {
  return (answer.body.templates as { language: string }[]).find((t) => t.language === language) as {
    language: string;
    subject: string;
    body: string;
    isDefault: boolean;
    updatedAt: string | null;
  };
}

/** Starts an onboarding through the staff API; answers its id and the activation e-mail as sent. */
async function onboard(
  tenant: Tenant,
  email: string,
  language: 'nl' | 'en' = 'nl',
): Promise<{ id: string; mail: string }> {
  const started = await call('POST', '/api/onboardings', tenant.keys.staff, {
    flavour: 'activation-link',
    environmentId: tenant.mainEnvironmentId,
    bank: 'INGB',
    language,
    client: { kvkNumber: '68750110', email },
    accountManager: { name: 'Anna de Vries', email: 'anna@boekhouder.test' },
  });
  expect(started.status).toBe(201);
  const mail = await eventually(() => smtp.messages.find((m) => m.to.includes(email)));
  // R-A9 allows one open onboarding per client, bank and environment; the next test starts another.
  expect((await call('POST', `/api/onboardings/${started.body.id}/cancel`, tenant.keys.staff)).status).toBe(200);
  return { id: started.body.id, mail: decodeQuotedPrintable(mail.raw) };
}

test('without its own message an organization reads the built-in default, in both languages, with the variables it may use', async () => {
  const answer = await call('GET', PATH, office.keys.support);
  expect(answer.status).toBe(200);
  expect(answer.body.kind).toBe('bank-activation');
  expect(answer.body.variables).toEqual([
    'companyName',
    'kvkNumber',
    'bankName',
    'officeName',
    'deadline',
    'accountManagerName',
    'contactEmail',
    'activationUrl',
  ]);
  for (const language of ['nl', 'en'] as const) {
    expect(template(answer, language)).toEqual({
      language,
      ...emailTemplateSource('onboarding-activation', language),
      isDefault: true,
      updatedAt: null,
      updatedBy: null,
    });
  }
  expect(template(answer, 'nl').subject).toBe('Activeer de bankkoppeling van {{{companyName}}} met {{{bankName}}}');
  expect(template(answer, 'nl').body).toContain('{{{activationUrl}}}');
});

test("an admin sets the Dutch message; the next onboarding's activation e-mail is built from it, and a reminder repeats it", async () => {
  const put = await call('PUT', PATH, office.keys.admin, OWN_NL);
  expect(put.status).toBe(200);
  expect(template(put, 'nl')).toMatchObject({ subject: OWN_NL.subject, body: OWN_NL.body, isDefault: false });
  expect(template(put, 'en').isDefault).toBe(true);
  // The built-in default passes the same checks, so staff can start from it.
  const defaultEn = emailTemplateSource('onboarding-activation', 'en');
  expect((await call('PUT', PATH, office.keys.admin, { language: 'en', ...defaultEn })).status).toBe(200);
  expect((await call('DELETE', `${PATH}?language=en`, office.keys.admin)).status).toBe(200);

  const { id, mail } = await onboard(office, 'eigen-sjabloon@donald.test');
  expect(mail).toContain('Subject: Koppel Test BV Donald aan Administratiekantoor De Boekhouder (ING)');
  expect(mail).toContain('Beste klant van Administratiekantoor De Boekhouder,');
  expect(mail).toContain('Wilt u voor Test BV Donald (KvK 68750110) de koppeling met ING aanzetten?');
  expect(mail).toMatch(new RegExp(`Klik hier: ${baseUrl.replace(/[.]/g, '\\.')}/connect/[A-Za-z0-9_-]{43}`));
  expect(mail).toContain('Uw contactpersoon: Anna de Vries.');
  expect(mail).not.toContain('{{');
  // Like the built-in message, the stored copy holds a placeholder, never the link.
  const stored = await db.orm.em
    .fork()
    .findOneOrFail(EmailMessage, { idempotencyKey: { $like: `onboarding:${id}:activation:%` } });
  expect(stored.template).toBe('onboarding-activation');
  expect(stored.text).toContain('Klik hier: [[activationUrl]]');

  // The reminder is the same message, marked as a reminder (sent here directly rather than waiting 96 hours).
  const link = await db.orm.em.fork().findOneOrFail(ActivationLink, { onboarding: id });
  await createActivities(deps).sendOnboardingEmail({
    onboardingId: id,
    kind: 'reminder',
    linkId: link.id,
    sequence: 72,
  });
  const reminder = decodeQuotedPrintable(
    (await eventually(() => smtp.messages.filter((m) => m.to.includes('eigen-sjabloon@donald.test'))[1]))!.raw,
  );
  const storedReminder = await db.orm.em
    .fork()
    .findOneOrFail(EmailMessage, { idempotencyKey: { $like: `onboarding:${id}:reminder:%` } });
  expect(storedReminder.subject).toBe(
    'Herinnering: Koppel Test BV Donald aan Administratiekantoor De Boekhouder (ING)',
  );
  expect(reminder.replace(/\r?\n /g, ' ')).toContain(
    'Subject: Herinnering: Koppel Test BV Donald aan Administratiekantoor De Boekhouder (ING)',
  );
  expect(reminder).toMatch(/Klik hier: http:\/\/127\.0\.0\.1:\d+\/connect\/[A-Za-z0-9_-]{43}/);

  // English onboardings still get the built-in English message.
  const english = await onboard(office, 'english@donald.test', 'en');
  expect(english.mail).toContain('Subject: Activate the bank connection of Test BV Donald with ING');
});

test('bad templates are refused with the field and the reason', async () => {
  const refused = async (body: Record<string, unknown>) => {
    const answer = await call('PUT', PATH, office.keys.admin, {
      language: 'nl',
      subject: 'Koppeling {{bankName}}',
      body: 'Open {{activationUrl}}',
      ...body,
    });
    expect(answer.status).toBe(400);
    return answer.body.errors as { field: string; message: string }[];
  };
  expect(await refused({ body: 'Open de link in uw bankomgeving.' })).toEqual([
    { field: 'body', message: 'must contain {{activationUrl}}, the link the client opens' },
  ]);
  const unknown = await refused({ body: 'Beste {{clientName}}, open {{activationUrl}} voor {{iban}}' });
  expect(unknown).toHaveLength(1);
  expect(unknown[0]).toMatchObject({ field: 'body' });
  expect(unknown[0]!.message).toContain('unknown variables {{clientName}}, {{iban}}');
  expect(unknown[0]!.message).toContain(
    'known are companyName, kvkNumber, bankName, officeName, deadline, accountManagerName, contactEmail, activationUrl',
  );
  expect((await refused({ subject: 'Voor {{klant}}' }))[0]).toMatchObject({
    field: 'subject',
    message: expect.stringContaining('{{klant}}'),
  });
  expect((await refused({ subject: 'Link: {{activationUrl}}' }))[0]).toMatchObject({
    field: 'subject',
    message: expect.stringContaining('the link belongs in the body'),
  });
  expect((await refused({ body: '{{#if companyName}}Open {{activationUrl}}' }))[0]).toMatchObject({
    field: 'body',
    message: expect.stringContaining('is not a valid handlebars template'),
  });
  expect((await refused({ body: '{{#each companyName}}x{{/each}} {{activationUrl}}' }))[0]!.message).toContain(
    'block "{{#each}}"',
  );
  expect((await refused({ body: '{{lookup companyName "x"}} {{activationUrl}}' }))[0]!.message).toContain(
    'helper "lookup"',
  );
  expect((await refused({ body: '{{> footer}} {{activationUrl}}' }))[0]!.message).toContain('partials');
  expect((await refused({ body: '{{../companyName}} {{activationUrl}}' }))[0]!.message).toContain('"../companyName"');
  expect((await refused({ subject: 'Regel een\nRegel twee' }))[0]).toEqual({
    field: 'subject',
    message: 'must be a single line',
  });
  expect((await refused({ subject: 'x'.repeat(201) }))[0]!.field).toBe('subject');
  expect((await refused({ body: `{{activationUrl}} ${'x'.repeat(10_000)}` }))[0]!.field).toBe('body');
  expect((await refused({ language: 'de' }))[0]!.field).toBe('language');
  expect((await refused({ extra: 1 }))[0]!.message).toContain('unknown field(s): extra');
  // Several problems at once, each with its field.
  expect((await refused({ subject: '{{x}}', body: 'nothing' })).map((e) => e.field)).toEqual(['subject', 'body']);
  // Nothing was stored by any of them.
  expect(template(await call('GET', PATH, office.keys.admin), 'nl').subject).toBe(OWN_NL.subject);
});

test('support and staff can read but not write; only admins change or delete', async () => {
  expect((await call('GET', PATH, office.keys.support)).status).toBe(200);
  expect((await call('GET', PATH, office.keys.staff)).status).toBe(200);
  for (const key of [office.keys.support, office.keys.staff]) {
    expect((await call('PUT', PATH, key, OWN_NL)).status).toBe(403);
    expect((await call('DELETE', PATH, key)).status).toBe(403);
  }
  expect((await call('GET', '/api/message-templates/other-kind', office.keys.admin)).status).toBe(400);
});

test("tenant isolation: another office neither sees nor uses nor deletes this office's message", async () => {
  await call('PUT', PATH, office.keys.admin, OWN_NL);
  const theirs = await call('GET', PATH, otherOffice.keys.admin);
  expect(template(theirs, 'nl').isDefault).toBe(true);
  expect((await call('DELETE', PATH, otherOffice.keys.admin)).status).toBe(200);
  expect(template(await call('GET', PATH, office.keys.support), 'nl').isDefault).toBe(false);
  const { mail } = await onboard(otherOffice, 'zuid@donald.test');
  expect(mail).toContain('Subject: Activeer de bankkoppeling van Test BV Donald met ING');
  expect(mail).toContain('Kantoor Zuid & Co verzorgt de administratie van Test BV Donald');
});

test('R-A6: a stored message that can no longer be used stops the prepare step with the reason; DELETE goes back to the default', async () => {
  // Written around the API's checks, as an old or hand-edited row could be.
  await db.orm.em
    .fork()
    .nativeUpdate(
      MessageTemplate,
      { organization: office.organizationId, language: 'nl' },
      { body: 'Geen link hier, {{klant}}' },
    );
  const started = await call('POST', '/api/onboardings', office.keys.staff, {
    flavour: 'activation-link',
    environmentId: office.mainEnvironmentId,
    bank: 'RABO',
    client: { kvkNumber: '68750110', email: 'kapot@donald.test' },
  });
  expect(started.status).toBe(201);
  const rejected = await eventually(async () => {
    const row = await db.orm.em.fork().findOneOrFail(Onboarding, { id: started.body.id });
    return row.status === 'rejected' ? row : undefined;
  });
  expect(rejected.statusReason).toContain('bank activation message template (nl) cannot be used');
  expect(rejected.statusReason).toContain('{{klant}}');
  expect(rejected.statusReason).toContain('R-A6');
  expect(smtp.messages.some((m) => m.to.includes('kapot@donald.test'))).toBe(false);

  const deleted = await call('DELETE', PATH, office.keys.admin);
  expect(deleted.status).toBe(200);
  expect(deleted.body.templates.every((t: { isDefault: boolean }) => t.isDefault)).toBe(true);
  const { mail } = await onboard(office, 'standaard@donald.test');
  expect(mail).toContain('Subject: Activeer de bankkoppeling van Test BV Donald met ING');
});
