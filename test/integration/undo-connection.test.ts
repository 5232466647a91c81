import {
  ActivationLink,
  Connection,
  Consent,
  ConsentAttempt,
  EmailMessage,
  Onboarding,
  Organization,
} from '../../db/entities';
import { fetchScheduleId } from '../../domain/fetch-schedule';
import type { OnboardingState } from '../../workflows/onboarding/contract';
import { ConnectionId, OrganizationId } from '../../workflows/search-attributes';
import { undoConnectionWorkflowId } from '../../workflows/undo-connection/contract';
import { createTenant, type Tenant } from '../support/api-fixture';
import { startWorld, type World } from '../support/world';
import { decodeQuotedPrintable } from '../support/mail';
import { eventually } from '../support/eventually';
import { csrfCookie, hiddenField, postForm, setCookie } from '../support/visitor';
import { onboardingState, startActivationLinkOnboarding, type StartedOnboarding } from '../support/onboarding';
import { consentAtBank } from '../support/sandbox-consent';

/**
 * R-A11: the client undoes the link from the link page, after a successful consent, through the real app, worker,
 * dev server, PostgreSQL, SMTP sink, sandbox KvK and sandbox bank, with plain HTTP as a browser without
 * JavaScript would do it.
 */
const IBAN = 'NL69INGB0123456789';
const STAFF = 'team@boekhouder.test';
const ACCOUNT_MANAGER = 'anna@boekhouder.test';

let world: World;
let db: World['db'];
let env: World['env'];
let bank: World['bank'];
let smtp: World['smtp'];
let baseUrl: string;
let office: Tenant;

beforeAll(async () => {
  world = await startWorld({ seed: 7 });
  ({ db, env, bank, smtp, baseUrl } = world);
  office = await createTenant(db.orm, 'Administratiekantoor De Boekhouder');
  await db.orm.em.fork().nativeUpdate(Organization, { id: office.organizationId }, { staffEmail: STAFF });
});

afterAll(async () => {
  await world?.stop();
});

/** Started, the link e-mailed, and the workflow waiting for the client. */
async function startOnboarding(clientEmail: string): Promise<StartedOnboarding> {
  const started = await startActivationLinkOnboarding(world, office, {
    email: clientEmail,
    accountManagerEmail: ACCOUNT_MANAGER,
  });
  await eventually(async () => (await state(started.workflowId)).status === 'waiting_for_consent' || undefined);
  return started;
}

/** "Koppelen", the bank as an Owner, back to the callback: the onboarding then has a connection. */
async function connect(
  started: StartedOnboarding,
): Promise<{ connectCsrf: string; cookie: string; bankConsentId: string; connectionId: string }> {
  const page = await fetch(started.link);
  const cookie = csrfCookie(page);
  const connectCsrf = hiddenField(await page.text(), 'csrf');
  const koppelen = await postForm(started.link, { csrf: connectCsrf }, cookie);
  expect(koppelen.status).toBe(303);
  const callback = await consentAtBank(new URL(koppelen.headers.get('location')!), 'ing-owner', [IBAN]);
  const done = await fetch(callback, { headers: { cookie: setCookie(koppelen, 'bk_consent') } });
  expect(await done.text()).toContain('<h1>Gelukt</h1>');
  const onboarding = await eventually(async () => {
    const row = await db.orm.em.fork().findOneOrFail(Onboarding, { id: started.onboardingId });
    return row.connection &&
      ['waiting_for_first_transaction', 'active', 'active_awaiting_first_transaction'].includes(row.status)
      ? row
      : undefined;
  });
  const attempt = await db.orm.em
    .fork()
    .findOneOrFail(ConsentAttempt, { onboarding: started.onboardingId, error: null });
  return { connectCsrf, cookie, bankConsentId: attempt.bankConsentId, connectionId: onboarding.connection!.id };
}

test('after a consent the client undoes the link: consent terminated at the bank, connection stopped, schedule paused, staff told (R-A11)', async () => {
  const started = await startOnboarding('eigenaar@donald.test');
  const { connectCsrf, cookie, bankConsentId, connectionId } = await connect(started);
  expect(bank.admin.consent(bankConsentId)?.status).toBe('valid');

  // The link page, once connected, offers the undo.
  const path = new URL(started.link).pathname;
  const linkPage = await (await fetch(started.link)).text();
  expect(linkPage).toContain('<h1>De bankkoppeling is actief</h1>');
  expect(linkPage).toContain(`<a href="${path}/undo?lang&#x3D;nl">Koppeling ongedaan maken</a>`);

  // GET only asks, however often it is fetched.
  const question = await fetch(`${started.link}/undo?lang=nl`, { headers: { cookie } });
  expect(question.status).toBe(200);
  expect(question.headers.get('cache-control')).toBe('no-store');
  expect(question.headers.get('referrer-policy')).toBe('no-referrer');
  expect(question.headers.get('content-security-policy')).toContain("form-action 'self'");
  const questionHtml = await question.text();
  expect(questionHtml).toContain('<h1>Koppeling ongedaan maken?</h1>');
  expect(questionHtml).toContain('<button type="submit">Ja, koppeling ongedaan maken</button>');
  expect(questionHtml).toContain(`<a href="${path}?lang&#x3D;nl">Nee, terug</a>`);
  expect(questionHtml).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
  expect((await fetch(`${started.link}/undo`)).status).toBe(200);
  expect(bank.admin.consent(bankConsentId)?.status).toBe('valid');
  expect((await db.orm.em.fork().findOneOrFail(Connection, { id: connectionId })).state).toBe('active');
  const undoCsrf = hiddenField(questionHtml, 'csrf');

  // CSRF: no field, a forged field, or the "Koppelen" form's field are all refused, and nothing happens.
  const forged = await postForm(`${started.link}/undo`, {});
  expect(forged.status).toBe(403);
  expect(await forged.text()).toContain('Deze pagina is verlopen');
  expect((await postForm(`${started.link}/undo`, { csrf: 'x'.repeat(43) }, cookie)).status).toBe(403);
  expect((await postForm(`${started.link}/undo`, { csrf: connectCsrf }, cookie)).status).toBe(403);
  expect((await postForm(`${started.link}/undo`, { csrf: undoCsrf })).status).toBe(403);
  expect(bank.admin.consent(bankConsentId)?.status).toBe('valid');

  const undo = await postForm(`${started.link}/undo?lang=nl`, { csrf: undoCsrf }, cookie);
  expect(undo.status).toBe(200);
  expect(undo.headers.get('cache-control')).toBe('no-store');
  const undoneHtml = await undo.text();
  expect(undoneHtml).toContain('<h1>De koppeling is ongedaan gemaakt</h1>');
  expect(undoneHtml).toContain('De toestemming bij ING voor <strong>Test BV Donald</strong> is ingetrokken.');

  // At the bank, in the database, at the schedule.
  expect(bank.admin.consent(bankConsentId)?.status).toBe('terminatedByTpp');
  const connection = await db.orm.em.fork().findOneOrFail(Connection, { id: connectionId });
  expect(connection.state).toBe('consent_invalid');
  expect(connection.stateReason).toBe('undone by the client');
  const consent = await db.orm.em.fork().findOneOrFail(Consent, { bankConsentId });
  expect(consent.status).toBe('terminatedByTpp');
  expect(consent.accessTokenEncrypted).toBeNull();
  expect(consent.refreshTokenEncrypted).toBeNull();
  const schedule = await env.client.schedule.getHandle(fetchScheduleId(connectionId)).describe();
  expect(schedule.state.paused).toBe(true);
  expect(schedule.state.note).toContain('undone by the client');

  // Staff and the account manager are told, once each.
  for (const to of [STAFF, ACCOUNT_MANAGER]) {
    const mail = await eventually(() =>
      smtp.messages.find(
        (m) => m.to.includes(to) && decodeQuotedPrintable(m.raw).includes('ongedaan gemaakt door de klant'),
      ),
    );
    const text = decodeQuotedPrintable(mail.raw);
    expect(text).toContain('Subject: Bankkoppeling ING ongedaan gemaakt door de klant: Test BV Donald');
    expect(text).toContain(`Koppeling: ${connectionId}`);
  }
  expect(await db.orm.em.fork().count(EmailMessage, { template: 'onboarding-undone', status: 'sent' })).toBe(2);

  // Support finds it in the Temporal UI by connection and organization.
  const description = await env.client.workflow.getHandle(undoConnectionWorkflowId(connectionId)).describe();
  expect(description.status.name).toBe('COMPLETED');
  expect(description.typedSearchAttributes.get(ConnectionId)).toBe(connectionId);
  expect(description.typedSearchAttributes.get(OrganizationId)).toBe(office.organizationId);

  // The onboarding says so too: a running one ends, a finished one keeps its status with the reason.
  const onboarding = await eventually(async () => {
    const row = await db.orm.em.fork().findOneOrFail(Onboarding, { id: started.onboardingId });
    return row.statusReason === 'undone by the client' ? row : undefined;
  });
  expect(['cancelled', 'active', 'active_awaiting_first_transaction']).toContain(onboarding.status);

  // Idempotent: a second undo says it was already undone and does nothing again.
  const again = await postForm(`${started.link}/undo?lang=nl`, { csrf: undoCsrf }, cookie);
  expect(again.status).toBe(200);
  expect(await again.text()).toContain('<h1>Deze koppeling was al ongedaan gemaakt</h1>');
  expect(await db.orm.em.fork().count(EmailMessage, { template: 'onboarding-undone' })).toBe(2);
  expect(await (await fetch(`${started.link}/undo`)).text()).toContain(
    '<h1>Deze koppeling was al ongedaan gemaakt</h1>',
  );

  // The link page afterwards shows the undone state, without a button.
  const after = await fetch(`${started.link}?lang=en`);
  expect(after.status).toBe(200);
  const afterHtml = await after.text();
  expect(afterHtml).toContain('<h1>The connection has been undone</h1>');
  expect(afterHtml).not.toMatch(/<button|\/undo/);
});

test('a link that has not been used yet has nothing to undo, and an unknown one is unknown', async () => {
  const started = await startOnboarding('nog-niet@donald.test');
  const question = await fetch(`${started.link}/undo`);
  expect(question.status).toBe(409);
  expect(await question.text()).toContain('<h1>Nog niets gekoppeld</h1>');
  const page = await fetch(started.link);
  const cookie = csrfCookie(page);
  const post = await postForm(`${started.link}/undo`, { csrf: hiddenField(await page.text(), 'csrf') }, cookie);
  expect(post.status).toBe(403);
  expect((await state(started.workflowId)).status).toBe('waiting_for_consent');

  const unknown = await fetch(`${baseUrl}/connect/${'A'.repeat(43)}/undo`);
  expect(unknown.status).toBe(404);
  expect(await unknown.text()).toContain('<h1>Onbekende link</h1>');
  expect((await postForm(`${baseUrl}/connect/${'A'.repeat(43)}/undo`, { csrf: 'x' })).status).toBe(404);
});

test('a refusal at the bank (R-A3) e-mails the client the rule and the link that still works, once per refusal', async () => {
  const started = await startOnboarding('medewerker@donald.test');
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    const page = await fetch(started.link);
    const koppelen = await postForm(started.link, { csrf: hiddenField(await page.text(), 'csrf') }, csrfCookie(page));
    const callback = await consentAtBank(new URL(koppelen.headers.get('location')!), 'ing-viewer', [IBAN]);
    const refused = await fetch(callback, { headers: { cookie: setCookie(koppelen, 'bk_consent') } });
    expect(await refused.text()).toContain('<h1>Deze gebruiker mag geen toestemming geven</h1>');
    const mails = await eventually(() => {
      const found = smtp.messages.filter(
        (m) => m.to.includes('medewerker@donald.test') && m.raw.includes('toestemming niet gegeven'),
      );
      return found.length === attempt ? found : undefined;
    });
    const text = decodeQuotedPrintable(mails[attempt - 1]!.raw)
      .replace(/\r\n/g, '\n')
      .replace(/\n /g, ' ');
    expect(text).toContain('Subject: Bankkoppeling ING voor Test BV Donald: toestemming niet gegeven');
    expect(text).toContain(
      'De regel van de bank: alleen een gebruiker met de rol Owner (met eigenaarspas) of AdministratorPlus met het recht om rekeningen te koppelen mag deze toestemming geven.',
    );
    expect(text).toContain(
      'Melding van de bank: Only an Owner, or an AdministratorPlus with the right to link accounts, may give consent; ing-viewer is Viewer',
    );
    expect(text).toContain(
      `Vraag een collega met de rol Owner of AdministratorPlus om deze link te openen, op "Koppelen" te klikken en bij ING toestemming te geven:\n${started.link}`,
    );
  }
  const stored = await db.orm.em.fork().find(EmailMessage, {
    template: 'onboarding-consent-refused',
    idempotencyKey: { $like: `onboarding:${started.onboardingId}:%` },
  });
  expect(stored).toHaveLength(2);
  expect(stored.every((m) => m.text.includes('[[activationUrl]]') && !m.text.includes(started.link))).toBe(true);
  expect((await state(started.workflowId)).status).toBe('waiting_for_consent');
});

function state(workflowId: string): Promise<OnboardingState> {
  return onboardingState(world, workflowId);
}

test('the undo right ends 30 days after connecting: the page says whom to ask, and the undo is refused (issue 12)', async () => {
  const started = await startOnboarding('eigenaar@dertig-dagen.test');
  const { cookie, bankConsentId } = await connect(started);
  const path = new URL(started.link).pathname;
  const undoLink = `<a href="${path}/undo?lang&#x3D;nl">Koppeling ongedaan maken</a>`;
  expect(await (await fetch(started.link)).text()).toContain(undoLink);
  const undoCsrf = hiddenField(await (await fetch(`${started.link}/undo`, { headers: { cookie } })).text(), 'csrf');

  // 31 days later: the e-mail still holds the link, but no longer the power to stop the connection.
  const usedAt = new Date(Date.now() - 31 * 24 * 3_600_000);
  await db.orm.em.fork().nativeUpdate(ActivationLink, { onboarding: started.onboardingId }, { usedAt });
  const page = await (await fetch(started.link)).text();
  expect(page).toContain('<h1>De bankkoppeling is actief</h1>');
  expect(page).not.toContain(undoLink);
  expect(page).toMatch(
    /De koppeling ongedaan maken via deze pagina kon tot [^<]+\. Wilt u de koppeling stoppen\? Vraag het Administratiekantoor De Boekhouder\./,
  );
  for (const answer of [
    await fetch(`${started.link}/undo`, { headers: { cookie } }),
    await postForm(`${started.link}/undo?lang=nl`, { csrf: undoCsrf }, cookie),
  ]) {
    expect(answer.status).toBe(410);
    expect(await answer.text()).toContain(
      'die tijd is voorbij. Wilt u de koppeling stoppen? Vraag het Administratiekantoor',
    );
  }
  expect(bank.admin.consent(bankConsentId)?.status).toBe('valid');
});

test('the undo right ends when the office sends the client a newer link (issue 12)', async () => {
  const first = await startOnboarding('eigenaar@nieuwere-link.test');
  const { cookie, bankConsentId } = await connect(first);
  const undoCsrf = hiddenField(await (await fetch(`${first.link}/undo`, { headers: { cookie } })).text(), 'csrf');

  // A new onboarding for the same client, bank and environment: its link takes the old one's place.
  await startOnboarding('eigenaar@nieuwere-link.test');
  const page = await (await fetch(`${first.link}?lang=en`)).text();
  expect(page).not.toContain('Undo the connection</a>');
  expect(page).toContain(
    'A newer link or consent has replaced this one, so this page can no longer undo the connection. To stop the connection, ask Administratiekantoor De Boekhouder.',
  );
  const refused = await postForm(`${first.link}/undo?lang=nl`, { csrf: undoCsrf }, cookie);
  expect(refused.status).toBe(410);
  expect(await refused.text()).toContain('Een nieuwere link of toestemming heeft deze vervangen');
  expect(bank.admin.consent(bankConsentId)?.status).toBe('valid');
});
