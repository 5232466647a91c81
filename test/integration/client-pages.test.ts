import { ActivationLink, ConsentAttempt, EmailMessage, Onboarding } from '../../db/entities';
import { renderEmail } from '../../templates/render';
import type { OnboardingState } from '../../workflows/onboarding/contract';
import { createTenant, type Tenant } from '../support/api-fixture';
import { startWorld, type World } from '../support/world';
import { decodeQuotedPrintable } from '../support/mail';
import { eventually } from '../support/eventually';
import { csrfCookie, hiddenField, postForm, setCookie, Visitor } from '../support/visitor';
import { onboardingState, startActivationLinkOnboarding, type StartedOnboarding } from '../support/onboarding';
import { consentAtBank } from '../support/sandbox-consent';

/**
 * The client's side of an activation-link onboarding (R-A1, R-A3, R-A10, R-A11, R-V13) through the real app,
 * worker, dev server, PostgreSQL, SMTP sink, sandbox KvK and sandbox bank, with plain HTTP as a browser without
 * JavaScript would do it.
 */
const IBAN = 'NL69INGB0123456789';

let world: World;
let db: World['db'];
let bank: World['bank'];
let smtp: World['smtp'];
let deps: World['deps'];
let baseUrl: string;
let office: Tenant;

beforeAll(async () => {
  world = await startWorld({ seed: 7 });
  ({ db, bank, smtp, deps, baseUrl } = world);
  office = await createTenant(db.orm, 'Administratiekantoor De Boekhouder');
});

afterAll(async () => {
  await world?.stop();
});

function startOnboarding(clientEmail: string): Promise<StartedOnboarding> {
  return startActivationLinkOnboarding(world, office, { email: clientEmail });
}

test('the activation e-mail says who asks, for which company and bank, until when, and who may consent (R-A1, R-A3, R-A10)', async () => {
  const { onboardingId, activationMail } = await startOnboarding('eigenaar-mail@donald.test');
  expect(activationMail).toContain('Subject: Activeer de bankkoppeling van Test BV Donald met ING');
  expect(activationMail).toContain(
    'Administratiekantoor De Boekhouder verzorgt de administratie van Test BV Donald (KvK-nummer 68750110)',
  );
  const onboarding = await db.orm.em.fork().findOneOrFail(Onboarding, { id: onboardingId });
  const deadline = new Intl.DateTimeFormat('nl-NL', {
    timeZone: 'Europe/Amsterdam',
    dateStyle: 'long',
    timeStyle: 'short',
  }).format(onboarding.consentDeadline!);
  expect(activationMail).toContain(`De link is geldig tot ${deadline} (7 dagen)`);
  expect(onboarding.consentDeadline!.getTime() - onboarding.createdAt.getTime()).toBeGreaterThan(167 * 3_600_000);
  expect(activationMail).toContain(
    'alleen een gebruiker met de rol Owner (met eigenaarspas) of AdministratorPlus met het recht om rekeningen te koppelen',
  );
  expect(activationMail).toContain('Er wordt niets gekoppeld zolang u niet zelf bij ING toestemming geeft');
  expect(activationMail).toContain('Neem contact op met Anna de Vries van Administratiekantoor De Boekhouder');
  // The outbox keeps the message without the link (activities/email.ts); only the sent e-mail carries it.
  const stored = await db.orm.em
    .fork()
    .findOneOrFail(EmailMessage, { template: 'onboarding-activation', to: 'eigenaar-mail@donald.test' });
  expect(stored.text).toContain('[[activationUrl]]');
  expect(stored.text).not.toMatch(/\/connect\/[A-Za-z0-9_-]{43}/);
});

test('every onboarding e-mail renders in Dutch and English, as plain text that keeps "&" and quotes (R-A10, R-V13)', () => {
  const data = {
    companyName: 'Bakkerij Jansen & Zn',
    kvkNumber: '68750110',
    bankName: 'ING',
    officeName: "Kantoor 't Hart",
    deadline: '3 december 2026 om 14:00',
    accountManagerName: '',
    onboardingId: 'ob-1',
  };
  const mail = (kind: string, language: 'nl' | 'en') =>
    renderEmail(`onboarding-${kind}`, language, { ...data, activationUrl: '[[activationUrl]]' });
  for (const kind of ['activation', 'reminder', 'connected', 'first-transaction-tip', 'expired']) {
    for (const language of ['nl', 'en'] as const) {
      const { subject, text, html } = mail(kind, language);
      expect([kind, language, subject]).toEqual([kind, language, expect.stringContaining('Bakkerij Jansen & Zn')]);
      expect(text).not.toMatch(/&amp;|&#x27;|{{/);
      expect(html).toContain('Bakkerij Jansen &amp; Zn');
    }
  }
  expect(mail('activation', 'nl').text).toContain("Vragen? Neem contact op met Kantoor 't Hart.");
  expect(mail('reminder', 'nl').text).toContain(
    'Uw persoonlijke link is nog geldig tot 3 december 2026 om 14:00:\n[[activationUrl]]',
  );
  expect(mail('connected', 'nl').text).toContain(
    'Het kan tot 24 uur duren voordat de eerste transacties in de administratie staan',
  );
  expect(mail('first-transaction-tip', 'nl').text).toContain(
    'Tip: maak één cent over naar of van de gekoppelde rekening',
  );
  expect(mail('first-transaction-tip', 'en').text).toContain('Tip: transfer one cent to or from the linked account');
  expect(mail('expired', 'nl').subject).toBe('Activatielink verlopen: Bakkerij Jansen & Zn (ING)');
  expect(mail('expired', 'nl').text).toContain('heeft binnen 7 dagen geen toestemming gegeven');
  expect(mail('expired', 'nl').text).toContain('start de activatie opnieuw');
  expect(mail('expired', 'en').text).toContain('start the activation again');
});

test('an Owner links the account: page, CSRF, bank, callback, then the link shows connected and refuses a second use (R-A11, R-V13)', async () => {
  const { onboardingId, workflowId, link } = await startOnboarding('eigenaar@donald.test');
  await eventually(async () => (await state(workflowId)).status === 'waiting_for_consent' || undefined);

  const page = await fetch(link);
  expect(page.status).toBe(200);
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'nonce-[A-Za-z0-9_-]+';/);
  const html = await page.text();
  expect(html).toContain('<html lang="nl">');
  expect(html).toContain('<dt>Administratiekantoor</dt><dd>Administratiekantoor De Boekhouder</dd>');
  expect(html).toContain('<dt>Bedrijf</dt><dd>Test BV Donald</dd>');
  expect(html).toContain('<dt>KvK-nummer</dt><dd>68750110</dd>');
  expect(html).toContain('<dt>Bank</dt><dd>ING</dd>');
  expect(html).toContain('<button type="submit">Koppelen</button>');
  expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
  const cookie = csrfCookie(page);
  expect(page.headers.getSetCookie()[0]).toMatch(/^bk_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
  const csrf = hiddenField(html, 'csrf');

  // GET consumes nothing, however often a mail scanner fetches it.
  expect((await fetch(link)).status).toBe(200);
  expect(await db.orm.em.fork().count(ConsentAttempt, { onboarding: onboardingId })).toBe(0);
  expect((await db.orm.em.fork().findOneOrFail(ActivationLink, { onboarding: onboardingId })).usedAt).toBeNull();
  expect((await state(workflowId)).status).toBe('waiting_for_consent');

  const forged = await postForm(link, {});
  expect(forged.status).toBe(403);
  expect(await forged.text()).toContain('Deze pagina is verlopen');
  const wrongField = await postForm(link, { csrf: 'x'.repeat(43) }, cookie);
  expect(wrongField.status).toBe(403);
  expect(await db.orm.em.fork().count(ConsentAttempt, { onboarding: onboardingId })).toBe(0);

  const koppelen = await postForm(link, { csrf }, cookie);
  expect(koppelen.status).toBe(303);
  expect(koppelen.headers.get('referrer-policy')).toBe('no-referrer');
  const authorize = new URL(koppelen.headers.get('location')!);
  expect(`${authorize.origin}${authorize.pathname}`).toBe(`${bank.url}/INGB/oauth/authorize`);
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${baseUrl}/connect/callback`);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  const attempt = await db.orm.em.fork().findOneOrFail(ConsentAttempt, { onboarding: onboardingId });
  expect(authorize.searchParams.get('scope')).toBe(`AIS:${attempt.bankConsentId}`);
  expect(deps.tokenCipher.decrypt(attempt.stateEncrypted)).toBe(authorize.searchParams.get('state'));
  expect((await state(workflowId)).status).toBe('consent_in_progress');
  const returnCookie = koppelen.headers.getSetCookie().find((c) => c.startsWith('bk_return='))!;
  expect(returnCookie).toMatch(/; Path=\/connect\/callback; .*HttpOnly; SameSite=Lax$/);

  const callback = await consentAtBank(authorize, 'ing-owner', [IBAN]);
  expect(`${callback.origin}${callback.pathname}`).toBe(`${baseUrl}/connect/callback`);
  const browser = setCookie(koppelen, 'bk_consent');
  const done = await fetch(callback, { headers: { cookie: `${returnCookie.split(';')[0]!}; ${browser}` } });
  expect(done.status).toBe(200);
  expect(done.headers.get('cache-control')).toBe('no-store');
  const doneHtml = await done.text();
  expect(doneHtml).toContain('<h1>Gelukt</h1>');
  expect(doneHtml).toContain(
    'Uw rekeningen bij ING zijn gekoppeld aan de administratie van <strong>Test BV Donald</strong> bij Administratiekantoor De Boekhouder.',
  );
  expect(doneHtml).toContain('Het kan tot 24 uur duren voordat de eerste transacties zichtbaar zijn');

  const after = await eventually(async () => {
    const current = await state(workflowId);
    return ['syncing_profile', 'waiting_for_first_transaction', 'active'].includes(current.status)
      ? current
      : undefined;
  });
  expect(after.reason).toBeNull();
  expect((await db.orm.em.fork().findOneOrFail(ActivationLink, { onboarding: onboardingId })).usedAt).toBeInstanceOf(
    Date,
  );
  expect((await db.orm.em.fork().findOneOrFail(ConsentAttempt, { id: attempt.id })).returnedAt).toBeInstanceOf(Date);

  const connectedPage = await fetch(link);
  expect(connectedPage.status).toBe(200);
  const connectedHtml = await connectedPage.text();
  expect(connectedHtml).toContain('<h1>De bankkoppeling is actief</h1>');
  expect(connectedHtml).not.toContain('Koppelen</button>');

  const again = await postForm(link, { csrf }, cookie);
  expect(again.status).toBe(409);
  const againHtml = await again.text();
  expect(againHtml).toContain('<h1>Deze link is al gebruikt</h1>');
  expect(againHtml).toContain('Een activatielink werkt maar één keer.');
  expect(await db.orm.em.fork().count(ConsentAttempt, { onboarding: onboardingId })).toBe(1);

  // The same callback a second time (a reload, a replay) never hands the code over again: it shows where things stand.
  const replay = await fetch(callback);
  expect(replay.status).toBe(200);
  expect(await replay.text()).toContain('<h1>Gelukt</h1>');
  expect(await db.orm.em.fork().count(ConsentAttempt, { onboarding: onboardingId })).toBe(1);

  const connectedMail = await eventually(() =>
    smtp.messages.find((m) => m.to.includes('eigenaar@donald.test') && m.raw.includes('is gelukt')),
  );
  expect(decodeQuotedPrintable(connectedMail.raw)).toContain(
    'Het kan tot 24 uur duren voordat de eerste transacties in de administratie staan',
  );
});

test('a Viewer is refused at the bank (R-A3): the page names the role rule and leads back, and the onboarding still waits', async () => {
  const { onboardingId, workflowId, link } = await startOnboarding('medewerker@donald.test');
  await eventually(async () => (await state(workflowId)).status === 'waiting_for_consent' || undefined);
  const page = await fetch(link);
  const koppelen = await postForm(link, { csrf: hiddenField(await page.text(), 'csrf') }, csrfCookie(page));
  expect(koppelen.status).toBe(303);
  const returnCookie = koppelen.headers
    .getSetCookie()
    .find((c) => c.startsWith('bk_return='))!
    .split(';')[0]!;

  const callback = await consentAtBank(new URL(koppelen.headers.get('location')!), 'ing-viewer', [IBAN]);
  expect(callback.searchParams.get('error')).toBe('access_denied');
  const refused = await fetch(callback, {
    headers: { cookie: `${returnCookie}; ${setCookie(koppelen, 'bk_consent')}` },
  });
  expect(refused.status).toBe(200);
  const html = await refused.text();
  expect(html).toContain('<h1>Deze gebruiker mag geen toestemming geven</h1>');
  expect(html).toContain(
    'Alleen een gebruiker met de rol <strong>Owner</strong> (met eigenaarspas) of <strong>AdministratorPlus</strong> met het recht om rekeningen te koppelen mag de koppeling goedkeuren.',
  );
  expect(html).toContain(
    'Melding van de bank: Only an Owner, or an AdministratorPlus with the right to link accounts, may give consent; ing-viewer is Viewer',
  );
  const path = new URL(link).pathname;
  expect(html).toContain(`<a class="button" href="${path}?lang&#x3D;nl">Opnieuw proberen met een andere gebruiker</a>`);

  const waiting = await state(workflowId);
  expect(waiting.status).toBe('waiting_for_consent');
  expect(waiting.reason).toBe(
    'Only an Owner, or an AdministratorPlus with the right to link accounts, may give consent; ing-viewer is Viewer',
  );
  expect((await db.orm.em.fork().findOneOrFail(Onboarding, { id: onboardingId })).status).toBe('waiting_for_consent');
  expect((await db.orm.em.fork().findOneOrFail(ActivationLink, { onboarding: onboardingId })).usedAt).toBeNull();
  const retry = await fetch(`${baseUrl}${path}?lang=nl`);
  expect(retry.status).toBe(200);
  expect(await retry.text()).toContain('<button type="submit">Koppelen</button>');

  // Without the return cookie the page still explains, and points to the e-mail instead.
  const attempt2 = await postForm(
    link,
    { csrf: hiddenField(await (await fetch(link, { headers: { cookie: csrfCookie(page) } })).text(), 'csrf') },
    csrfCookie(page),
  );
  const callback2 = await consentAtBank(new URL(attempt2.headers.get('location')!), 'ing-viewer', [IBAN]);
  const elsewhere = await (await fetch(callback2, { headers: { cookie: setCookie(attempt2, 'bk_consent') } })).text();
  expect(elsewhere).toContain(
    'Open de link uit de e-mail van Administratiekantoor De Boekhouder opnieuw om het nog eens te proberen met een andere gebruiker.',
  );
});

test('an English client with a Dutch browser stays in English through the bank and back; the page after the bank lists the linked account, says how to undo, switches language, and shows the same on a reload', async () => {
  const { workflowId, link } = await startOnboarding('english@donald.test');
  await eventually(async () => (await state(workflowId)).status === 'waiting_for_consent' || undefined);
  const path = new URL(link).pathname;
  const client = new Visitor(baseUrl, { 'accept-language': 'nl-NL,nl;q=0.9' });
  const csrf = await client.csrf(`${path}?lang=en`);
  const link2bank = await client.post(`${path}?lang=en`, { csrf });
  expect(link2bank.status).toBe(303);
  const callback = await consentAtBank(new URL(link2bank.headers.get('location')!), 'ing-owner', [IBAN]);

  // The bank's way back carries no language; the client's choice came along anyway.
  const back = await client.get(callback.toString());
  expect(back.status).toBe(303);
  const statusPath = back.headers.get('location')!;
  expect(statusPath).toMatch(/^\/connect\/callback\?state=[^&]+&lang=en$/);
  expect(statusPath).not.toContain('code=');
  const done = await eventually(async () => {
    const html = await (await client.get(statusPath)).text();
    return html.includes('NL69 INGB 0123 4567 89') ? html : undefined;
  }, 30_000);
  expect(done).toContain('<html lang="en">');
  expect(done).toContain('<h1>Done</h1>');
  expect(done).toContain('open the link in the e-mail again and choose <strong>Undo the connection</strong>');

  // F5 on the bank's own callback URL: the same page, not an error; from another browser too, in its language.
  const reloaded = await client.follow(callback.toString());
  expect(reloaded.response.status).toBe(200);
  expect(await reloaded.response.text()).toContain('<h1>Done</h1>');
  const elsewhere = await new Visitor(baseUrl).follow(callback.toString());
  expect(await elsewhere.response.text()).toContain('<h1>Gelukt</h1>');

  const switchLink = /<a href="([^"]+)" lang="nl" hreflang="nl">Nederlands<\/a>/
    .exec(done)?.[1]
    ?.replace(/&amp;/g, '&')
    .replace(/&#x3D;/g, '=');
  expect(switchLink).toBe(statusPath.replace('/connect/callback', '').replace('lang=en', 'lang=nl'));
  expect(await (await client.get(`/connect/callback${switchLink}`)).text()).toContain('<h1>Gelukt</h1>');
});

test('an English client refused at the bank reads the refusal in English, with the language switch and a way back in English', async () => {
  const { workflowId, link } = await startOnboarding('english-viewer@donald.test');
  await eventually(async () => (await state(workflowId)).status === 'waiting_for_consent' || undefined);
  const path = new URL(link).pathname;
  const client = new Visitor(baseUrl, { 'accept-language': 'nl-NL,nl;q=0.9' });
  const link2bank = await client.post(`${path}?lang=en`, { csrf: await client.csrf(`${path}?lang=en`) });
  const callback = await consentAtBank(new URL(link2bank.headers.get('location')!), 'ing-viewer', [IBAN]);
  const refused = await client.follow(callback.toString());
  expect(refused.response.status).toBe(200);
  const html = await refused.response.text();
  expect(html).toContain('<h1>This user may not give consent</h1>');
  expect(html).toContain('hreflang="nl">Nederlands</a>');
  expect(html).toContain(`<a class="button" href="${path}?lang&#x3D;en">Try again with another user</a>`);
  // A reload shows the same refusal; it does not hand the bank's answer to the onboarding again.
  const again = await client.get(refused.path);
  expect(again.status).toBe(200);
  expect(await again.text()).toContain('<h1>This user may not give consent</h1>');
});

test('English on request, by ?lang=en or Accept-Language', async () => {
  const { link } = await startOnboarding('owner@donald.test');
  const byQuery = await (await fetch(`${link}?lang=en`)).text();
  expect(byQuery).toContain('<html lang="en">');
  expect(byQuery).toContain('<h1>Activate the bank connection</h1>');
  expect(byQuery).toContain('<dt>KvK number</dt><dd>68750110</dd>');
  expect(byQuery).toContain('<form method="post" action="?lang&#x3D;en">');
  expect(byQuery).toContain('<a href="?lang&#x3D;nl" lang="nl" hreflang="nl">Nederlands</a>');
  const byHeader = await (await fetch(link, { headers: { 'accept-language': 'en-GB,en;q=0.9,nl;q=0.5' } })).text();
  expect(byHeader).toContain('<button type="submit">Link</button>');
  const dutchFirst = await (await fetch(link, { headers: { 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.5' } })).text();
  expect(dutchFirst).toContain('<button type="submit">Koppelen</button>');
});

test('an unknown or malformed link answers the same 404 page, and a bad or tampered callback a 400', async () => {
  for (const path of [`/connect/${'A'.repeat(43)}`, '/connect/abc', '/connect/%2e%2e%2fetc', '/connect/a/b']) {
    const answer = await fetch(`${baseUrl}${path}`);
    expect([path, answer.status]).toEqual([path, 404]);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await answer.text()).toContain('<h1>Onbekende link</h1>');
  }
  const unknownPost = await postForm(`${baseUrl}/connect/${'A'.repeat(43)}`, { csrf: 'x' });
  expect(unknownPost.status).toBe(404);

  const tampered = await fetch(`${baseUrl}/connect/callback?code=abc&state=${'B'.repeat(43)}`);
  expect(tampered.status).toBe(400);
  expect(await tampered.text()).toContain('<h1>Ongeldige terugkeer van de bank</h1>');
  expect((await fetch(`${baseUrl}/connect/callback?code=abc`)).status).toBe(400);
  expect((await fetch(`${baseUrl}/connect/callback?error=access_denied`)).status).toBe(400);
});

test('an expired link says so and sends the client to the office for a new one (R-A10)', async () => {
  const { onboardingId, workflowId, link } = await startOnboarding('laat@donald.test');
  await eventually(async () => (await state(workflowId)).status === 'waiting_for_consent' || undefined);
  await db.orm.em
    .fork()
    .nativeUpdate(ActivationLink, { onboarding: onboardingId }, { expiresAt: new Date(Date.now() - 1000) });
  const page = await fetch(link);
  expect(page.status).toBe(410);
  const html = await page.text();
  expect(html).toContain('<h1>Deze link werkt niet meer</h1>');
  expect(html).toContain('Deze activatielink is verlopen: een link is 7 dagen geldig.');
  expect(html).toContain('Vraag Administratiekantoor De Boekhouder om een nieuwe link');
});

test('POSTs are rate-limited per address and answered with a page (429)', async () => {
  let answer: Response | undefined;
  for (let i = 0; i < 31; i += 1) {
    answer = await postForm(`${baseUrl}/connect/${'C'.repeat(43)}`, {});
    if (answer.status === 429) break;
  }
  expect(answer?.status).toBe(429);
  expect(answer?.headers.get('cache-control')).toBe('no-store');
  expect(await answer?.text()).toContain('<h1>Even geduld</h1>');
});

function state(workflowId: string): Promise<OnboardingState> {
  return onboardingState(world, workflowId);
}
