import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { isValidIban } from '../../domain/iban';
import { createSandboxBankApp, startSandboxBank } from '../../sandbox/bank/app';
import { s256, type TokenResponse } from '../../sandbox/bank/oauth';
import { SANDBOX_ACCOUNTS, SANDBOX_COMPANIES, TEST_USERS } from '../../sandbox/bank/test-users';
import type { LedgerEntry } from '../../sandbox/bank/ledger';
import { hiddenField } from '../support/visitor';

const PUBLIC_URL = 'http://bank.test';
const REDIRECT_URI = 'http://platform.test/connect/callback';
const CLIENT = { clientId: 'bankkoppeling-test', redirectUris: [REDIRECT_URI] };
const VERIFIER = 'sandbox-test-verifier-0123456789-abcdefghijklmnop';
const DEMO_IBAN = 'NL69INGB0123456789';
const DONALD_PROJECTS = 'NL47INGB0123456797';
const DONALD_SAVINGS = 'NL21INGB0987654321';
/** Wednesday 10:30 in Amsterdam: history runs 2025-02-05 up to and including 2025-03-11. */
const START = new Date('2025-03-12T09:30:00Z');

function sandbox(overrides: { pageSize?: number; seed?: number } = {}) {
  let clock = START;
  const { app, admin } = createSandboxBankApp({
    publicUrl: PUBLIC_URL,
    seed: overrides.seed ?? 7,
    now: () => clock,
    clients: [CLIENT],
    ...(overrides.pageSize ? { pageSize: overrides.pageSize } : {}),
  });
  return { app, admin, advance: (ms: number) => void (clock = new Date(clock.getTime() + ms)) };
}

async function createConsent(app: Express, bank = 'INGB', body: Record<string, unknown> = {}): Promise<string> {
  const res = await request(app)
    .post(`/${bank}/v1/consents`)
    .set('X-Request-ID', randomUUID())
    .send({ access: {}, recurringIndicator: true, validUntil: '2025-06-01', frequencyPerDay: 4, ...body });
  expect(res.status).toBe(201);
  return res.body.consentId as string;
}

function authorizeUrl(
  bank: string,
  consentId: string,
  options: { redirectUri?: string; verifier?: string } = {},
): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT.clientId,
    redirect_uri: options.redirectUri ?? REDIRECT_URI,
    state: 'state-123',
    code_challenge: s256(options.verifier ?? VERIFIER),
    code_challenge_method: 'S256',
    scope: `AIS:${consentId}`,
  });
  return `/${bank}/oauth/authorize?${params.toString()}`;
}

async function loginAs(app: Express, bank: string, consentId: string, username: string) {
  const page = await request(app).get(authorizeUrl(bank, consentId));
  expect(page.status).toBe(200);
  return request(app)
    .post(`/${bank}/oauth/login`)
    .type('form')
    .send({ flow: hiddenField(page.text, 'flow'), username, password: 'sandbox', action: 'login' });
}

async function sign(app: Express, bank: string, selectPageHtml: string, ibans: readonly string[]) {
  const form = new URLSearchParams({ flow: hiddenField(selectPageHtml, 'flow'), action: 'sign' });
  for (const iban of ibans) form.append('accounts', iban);
  return request(app).post(`/${bank}/oauth/sign`).type('form').send(form.toString());
}

/** Creates a consent, logs in, ticks accounts and signs; returns the consent id and the authorization code. */
async function consentFlow(app: Express, username: string, ibans: readonly string[], bank = 'INGB') {
  const consentId = await createConsent(app, bank);
  const selectPage = await loginAs(app, bank, consentId, username);
  expect(selectPage.status).toBe(200);
  const signed = await sign(app, bank, selectPage.text, ibans);
  expect(signed.status).toBe(303);
  const location = new URL(signed.headers.location as string);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  expect(location.searchParams.get('state')).toBe('state-123');
  return { consentId, code: location.searchParams.get('code') ?? '' };
}

function exchange(app: Express, code: string, verifier = VERIFIER, redirectUri = REDIRECT_URI, bank = 'INGB') {
  return request(app).post(`/${bank}/oauth/token`).type('form').send({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: redirectUri,
    client_id: CLIENT.clientId,
  });
}

async function connect(app: Express, ibans: readonly string[] = [DEMO_IBAN, DONALD_SAVINGS], username = 'ing-owner') {
  const { consentId, code } = await consentFlow(app, username, ibans);
  const res = await exchange(app, code);
  expect(res.status).toBe(200);
  return { consentId, tokens: res.body as TokenResponse };
}

function ais(app: Express, path: string, accessToken: string, consentId: string) {
  return request(app)
    .get(path)
    .set('Authorization', `Bearer ${accessToken}`)
    .set('Consent-ID', consentId)
    .set('X-Request-ID', randomUUID());
}

function localPath(href: string): string {
  const url = new URL(href);
  expect(url.origin).toBe(PUBLIC_URL);
  return `${url.pathname}${url.search}`;
}

async function resourceIdOf(app: Express, accessToken: string, consentId: string, iban: string): Promise<string> {
  const res = await ais(app, '/INGB/v1/accounts', accessToken, consentId).set('PSU-IP-Address', '192.0.2.10');
  const account = (res.body.accounts as Array<{ iban: string; resourceId: string }>).find((a) => a.iban === iban);
  if (!account) throw new Error(`${iban} not in the account list`);
  return account.resourceId;
}

async function allTransactionPages(app: Express, firstPath: string, accessToken: string, consentId: string) {
  const booked: Array<Record<string, unknown>> = [];
  const pending: Array<Record<string, unknown>> = [];
  let path: string | undefined = firstPath;
  let pages = 0;
  while (path) {
    const res = await ais(app, path, accessToken, consentId);
    expect(res.status).toBe(200);
    booked.push(...(res.body.transactions.booked ?? []));
    pending.push(...(res.body.transactions.pending ?? []));
    const next = res.body.transactions._links.next as { href: string } | undefined;
    path = next ? localPath(next.href) : undefined;
    pages += 1;
  }
  return { booked, pending, pages };
}

function sandboxStatus(res: request.Response): string {
  return res.body.consentStatus as string;
}

describe('sandbox bank test users', () => {
  test("every account has a valid IBAN of its own bank, EUR, and the demo IBAN is an Owner's ING current account", () => {
    for (const account of SANDBOX_ACCOUNTS) {
      expect(isValidIban(account.iban)).toBe(true);
      expect(account.iban.slice(4, 8)).toBe(account.bank);
      expect(account.currency).toBe('EUR');
    }
    const demo = SANDBOX_ACCOUNTS.find((a) => a.iban === DEMO_IBAN);
    expect(demo).toMatchObject({ bank: 'INGB', kind: 'current', companyKey: 'ing-donald' });
    expect(TEST_USERS.find((u) => u.username === 'ing-owner')).toMatchObject({
      role: 'Owner',
      companyKey: 'ing-donald',
    });
    expect(new Set(SANDBOX_ACCOUNTS.map((a) => a.kind))).toEqual(new Set(['current', 'savings']));
    for (const bank of ['INGB', 'RABO', 'ABNA']) {
      const roles = new Set(TEST_USERS.filter((u) => u.bank === bank).map((u) => u.role));
      expect(roles.has('Owner') && roles.has('AdministratorPlus')).toBe(true);
    }
    expect(SANDBOX_COMPANIES.every((c) => c.accounts.length > 0)).toBe(true);
  });
});

describe('sandbox bank history generator', () => {
  test('the same seed and day give the same ledger, to the id', () => {
    const a = sandbox().admin.ledger(DEMO_IBAN);
    const b = sandbox().admin.ledger(DEMO_IBAN);
    expect(b).toEqual(a);
    expect(sandbox({ seed: 8 }).admin.ledger(DEMO_IBAN).entries).not.toEqual(a.entries);
  });

  test('seed 7 on 2025-03-12 holds known entries and balances', () => {
    const ledger = sandbox().admin.ledger(DEMO_IBAN);
    expect(ledger.openingBalance.date).toBe('2025-02-04');
    expect(ledger.entries).toHaveLength(108);
    expect(ledger.entries[0]).toMatchObject({
      sequence: 1,
      status: 'booked',
      bookingDate: '2025-02-05',
      amountCents: -10_598,
      counterpartyName: 'KPN B.V.',
      bankTransactionCode: 'PMNT-RDDT-ESDD',
      entryReference: '202502052782632254',
      transactionId: 'a92ed91c4529ed326ca31c83',
    });
    expect(ledger.entries[0]?.mandateId).toMatch(/^KPN\d{9}$/);
    expect(ledger.entries[0]?.creditorId).toMatch(/^NL\d{2}ZZZ\d{12}$/);
    expect(ledger.entries[2]).toMatchObject({ amountCents: 331_833, remittanceInformationStructured: 'RF9820257631' });
    expect(ledger.entries.find((e) => e.counterpartyName === 'Belastingdienst')).toMatchObject({
      bookingDate: '2025-02-28',
      amountCents: -475_769,
      remittanceInformationStructured: '5844833675702501',
      remittanceInformationUnstructured: 'Loonheffingen januari 2025',
      counterpartyIban: 'NL86INGB0002445588',
    });
    expect(ledger.entries.filter((e) => e.bankTransactionCode === 'PMNT-ICDT-SALA').map((e) => e.bookingDate)).toEqual([
      '2025-02-24',
      '2025-02-24',
      '2025-02-24',
      '2025-02-24',
    ]);
    expect(ledger.entries.filter((e) => e.status === 'pending').map((e) => e.amountCents)).toEqual([-2_901]);
    expect(ledger.balances).toEqual([
      { balanceType: 'closingBooked', referenceDate: '2025-03-11', amountCents: 9_624_621 },
      { balanceType: 'interimBooked', referenceDate: '2025-03-12', amountCents: 9_624_621 },
      { balanceType: 'interimAvailable', referenceDate: '2025-03-12', amountCents: 9_621_720 },
    ]);
    const booked = ledger.entries.filter((e) => e.status === 'booked');
    const sum = booked.reduce((total, e) => total + e.amountCents, 0);
    expect(ledger.openingBalance.amountCents + sum).toBe(9_624_621);
  });

  test('identical payments on one day occur, with distinct bank ids (the platform must keep both)', () => {
    const { admin } = sandbox();
    const key = (e: LedgerEntry) =>
      [e.bookingDate, e.amountCents, e.counterpartyName, e.remittanceInformationUnstructured].join('|');
    const twins = admin
      .ledger(DEMO_IBAN)
      .entries.filter((e, i, all) => all.some((o, j) => j !== i && key(o) === key(e)));
    expect(twins.slice(0, 2).map((e) => [e.bookingDate, e.amountCents, e.counterpartyName])).toEqual([
      ['2025-02-05', -340, 'COFFEE COMPANY'],
      ['2025-02-05', -340, 'COFFEE COMPANY'],
    ]);
    expect(twins[0]?.entryReference).not.toBe(twins[1]?.entryReference);
    expect(twins[0]?.transactionId).not.toBe(twins[1]?.transactionId);
  });

  test('a day yields the same entries whatever the history window, so a restarted sandbox agrees with itself', () => {
    const { admin: wide } = createSandboxBankApp({ publicUrl: PUBLIC_URL, seed: 7, now: () => START, historyDays: 60 });
    const narrow = sandbox()
      .admin.ledger(DEMO_IBAN)
      .entries.filter((e) => e.status === 'booked');
    const sameDays = wide
      .ledger(DEMO_IBAN)
      .entries.filter((e) => e.status === 'booked' && e.bookingDate >= '2025-02-05');
    expect(sameDays.map(({ sequence: _s, ...rest }) => rest)).toEqual(narrow.map(({ sequence: _s, ...rest }) => rest));
  });
});

describe('sandbox bank OAuth2 with PKCE and consent', () => {
  test('consent creation answers received with an scaOAuth link to the authorization server metadata', async () => {
    const { app } = sandbox();
    const res = await request(app)
      .post('/INGB/v1/consents')
      .set('X-Request-ID', randomUUID())
      .send({ access: {}, recurringIndicator: true, validUntil: '2026-12-31', frequencyPerDay: 6 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      consentStatus: 'received',
      _links: { scaOAuth: { href: `${PUBLIC_URL}/INGB/.well-known/oauth-authorization-server` } },
    });
    const metadata = await request(app).get(localPath(res.body._links.scaOAuth.href));
    expect(metadata.body).toMatchObject({
      authorization_endpoint: `${PUBLIC_URL}/INGB/oauth/authorize`,
      token_endpoint: `${PUBLIC_URL}/INGB/oauth/token`,
      code_challenge_methods_supported: ['S256'],
    });
    const consent = await request(app).get(`/INGB/v1/consents/${res.body.consentId}`).set('X-Request-ID', randomUUID());
    // The bank caps a consent at 180 days and 4 unattended accesses a day.
    expect(consent.body).toMatchObject({
      consentStatus: 'received',
      validUntil: '2025-09-08',
      frequencyPerDay: 4,
      recurringIndicator: true,
    });
  });

  test('full flow: login page, account choice, signed consent, code for tokens; wrong verifier and reused code refused', async () => {
    const { app } = sandbox();
    const { consentId, code } = await consentFlow(app, 'ing-owner', [DEMO_IBAN, DONALD_SAVINGS]);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const wrong = await exchange(app, code, `${VERIFIER}x`);
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({
      error: 'invalid_grant',
      error_description: 'code_verifier does not match the code_challenge',
    });

    const ok = await exchange(app, code);
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: `AIS:${consentId}` });

    const reused = await exchange(app, code);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    // RFC 6749 §4.1.2: a replayed code revokes what it yielded.
    const afterReplay = await ais(app, '/INGB/v1/accounts', ok.body.access_token, consentId);
    expect(afterReplay.status).toBe(401);
    expect(afterReplay.body.tppMessages[0].code).toBe('TOKEN_INVALID');
  });

  test('redirect URI mismatch: an unregistered URI is refused on the bank page, a different one at the token endpoint', async () => {
    const { app } = sandbox();
    const consentId = await createConsent(app);
    const page = await request(app).get(authorizeUrl('INGB', consentId, { redirectUri: 'http://evil.test/callback' }));
    expect(page.status).toBe(400);
    expect(page.headers.location).toBeUndefined();
    expect(page.text).toContain('is not registered for client bankkoppeling-test');

    const trailingSlash = await request(app).get(authorizeUrl('INGB', consentId, { redirectUri: `${REDIRECT_URI}/` }));
    expect(trailingSlash.status).toBe(400);

    const { code } = await consentFlow(app, 'ing-owner', [DEMO_IBAN]);
    const res = await exchange(app, code, VERIFIER, 'http://platform.test/other');
    expect(res.body).toEqual({
      error: 'invalid_grant',
      error_description: 'redirect_uri differs from the authorization request',
    });
  });

  test('authorize without PKCE S256 redirects back with invalid_request', async () => {
    const { app } = sandbox();
    const consentId = await createConsent(app);
    const url = authorizeUrl('INGB', consentId).replace('code_challenge_method=S256', 'code_challenge_method=plain');
    const res = await request(app).get(url);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location as string);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('state-123');
  });

  test('R-A3: a Viewer is refused with access_denied naming the role rule, and the consent becomes rejected', async () => {
    const { app } = sandbox();
    const consentId = await createConsent(app);
    const res = await loginAs(app, 'INGB', consentId, 'ing-viewer');
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location as string);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toBe(
      'Only an Owner, or an AdministratorPlus with the right to link accounts, may give consent; ing-viewer is Viewer',
    );
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(location.searchParams.get('code')).toBeNull();
    const status = await request(app).get(`/INGB/v1/consents/${consentId}/status`).set('X-Request-ID', randomUUID());
    expect(status.body).toEqual({ consentStatus: 'rejected' });
  });

  test('R-A3: an AdministratorPlus without the link right is refused; one with it may consent', async () => {
    const { app } = sandbox();
    const refusedConsent = await createConsent(app, 'RABO');
    const refused = await loginAs(app, 'RABO', refusedConsent, 'rabo-admin-nolink');
    expect(new URL(refused.headers.location as string).searchParams.get('error_description')).toContain(
      'rabo-admin-nolink is AdministratorPlus without the right to link accounts',
    );
    const allowed = await consentFlow(app, 'rabo-admin', ['NL25RABO0312456781'], 'RABO');
    expect(allowed.code).not.toBe('');
  });

  test('cancel at the bank redirects with access_denied and rejects the consent', async () => {
    const { app } = sandbox();
    const consentId = await createConsent(app);
    const page = await request(app).get(authorizeUrl('INGB', consentId));
    const res = await request(app)
      .post('/INGB/oauth/login')
      .type('form')
      .send({ flow: hiddenField(page.text, 'flow'), action: 'cancel' });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.location as string).searchParams.get('error')).toBe('access_denied');
    expect(
      sandboxStatus(await request(app).get(`/INGB/v1/consents/${consentId}`).set('X-Request-ID', randomUUID())),
    ).toBe('rejected');
  });

  test('a wrong password shows the login page again; the pages need no script and send no referrer', async () => {
    const { app } = sandbox();
    const consentId = await createConsent(app);
    const page = await request(app).get(authorizeUrl('INGB', consentId));
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).not.toContain('<script');
    const res = await request(app)
      .post('/INGB/oauth/login')
      .type('form')
      .send({ flow: hiddenField(page.text, 'flow'), username: 'ing-owner', password: 'wrong', action: 'login' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Unknown username or wrong password');
    const tampered = await request(app)
      .post('/INGB/oauth/login')
      .type('form')
      .send({
        flow: `${hiddenField(page.text, 'flow')}x`,
        username: 'ing-owner',
        password: 'sandbox',
        action: 'login',
      });
    expect(tampered.status).toBe(400);
  });

  test("the account page lists the user's accounts; the consent becomes valid with exactly the chosen ones", async () => {
    const { app } = sandbox();
    const consentId = await createConsent(app);
    const selectPage = await loginAs(app, 'INGB', consentId, 'ing-admin');
    expect(selectPage.text).toContain('NL69 INGB 0123 4567 89');
    expect(selectPage.text).toContain('NL47 INGB 0123 4567 97');
    expect(selectPage.text).toContain('NL21 INGB 0987 6543 21');
    expect(selectPage.text).not.toContain('INGB 0004 4556 61');

    const none = await sign(app, 'INGB', selectPage.text, []);
    expect(none.status).toBe(400);
    const signed = await sign(app, 'INGB', none.text, [DEMO_IBAN, DONALD_SAVINGS]);
    expect(signed.status).toBe(303);

    const consent = await request(app).get(`/INGB/v1/consents/${consentId}`).set('X-Request-ID', randomUUID());
    expect(consent.body).toMatchObject({
      consentStatus: 'valid',
      access: {
        accounts: [
          { iban: DEMO_IBAN, currency: 'EUR' },
          { iban: DONALD_SAVINGS, currency: 'EUR' },
        ],
      },
    });
  });

  test('code expires after 10 minutes', async () => {
    const { app, advance } = sandbox();
    const { code } = await consentFlow(app, 'ing-owner', [DEMO_IBAN]);
    advance(10 * 60_000 + 1);
    const res = await exchange(app, code);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'Authorization code has expired' });
  });

  test('the old access token expires per now(); the refresh token yields a new one and is spent', async () => {
    const { app, advance } = sandbox();
    const { consentId, tokens } = await connect(app);
    expect((await ais(app, '/INGB/v1/accounts', tokens.access_token, consentId)).status).toBe(200);

    advance(3600 * 1000);
    const expired = await ais(app, '/INGB/v1/accounts', tokens.access_token, consentId);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({
      tppMessages: [{ category: 'ERROR', code: 'TOKEN_INVALID', text: 'The access token has expired' }],
    });

    const refreshed = await request(app)
      .post('/INGB/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: CLIENT.clientId });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(tokens.access_token);
    expect(refreshed.body.refresh_token).not.toBe(tokens.refresh_token);
    expect((await ais(app, '/INGB/v1/accounts', refreshed.body.access_token, consentId)).status).toBe(200);

    const again = await request(app)
      .post('/INGB/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: CLIENT.clientId });
    expect(again.body.error).toBe('invalid_grant');
  });

  test('a new recurring consent by the same PSU for the same TPP expires the former one (Berlin Group)', async () => {
    const { app } = sandbox();
    const first = await connect(app, [DEMO_IBAN]);
    await connect(app, [DEMO_IBAN, DONALD_PROJECTS]);
    const res = await ais(app, '/INGB/v1/accounts', first.tokens.access_token, first.consentId);
    expect(res.status).toBe(401);
    expect(res.body.tppMessages[0].code).toBe('CONSENT_EXPIRED');
  });
});

describe('sandbox bank account information', () => {
  test('the account list holds only the consented accounts, with opaque resource ids', async () => {
    const { app } = sandbox();
    const { consentId, tokens } = await connect(app, [DEMO_IBAN, DONALD_SAVINGS]);
    const res = await ais(app, '/INGB/v1/accounts', tokens.access_token, consentId);
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBeDefined();
    const accounts = res.body.accounts as Array<Record<string, unknown>>;
    expect(accounts.map((a) => [a.iban, a.cashAccountType, a.currency])).toEqual([
      [DEMO_IBAN, 'CACC', 'EUR'],
      [DONALD_SAVINGS, 'SVGS', 'EUR'],
    ]);
    expect(accounts.map((a) => a.iban)).not.toContain(DONALD_PROJECTS);
    for (const account of accounts) {
      expect(account.resourceId).not.toBe(account.iban);
      expect(String(account.resourceId)).not.toContain('INGB');
    }
    const balances = await ais(
      app,
      localPath((accounts[0]?._links as { balances: { href: string } }).balances.href),
      tokens.access_token,
      consentId,
    );
    expect(balances.body.balances).toEqual([
      {
        balanceType: 'closingBooked',
        balanceAmount: { currency: 'EUR', amount: '96246.21' },
        referenceDate: '2025-03-11',
      },
      {
        balanceType: 'interimBooked',
        balanceAmount: { currency: 'EUR', amount: '96246.21' },
        referenceDate: '2025-03-12',
      },
      {
        balanceType: 'interimAvailable',
        balanceAmount: { currency: 'EUR', amount: '96217.20' },
        referenceDate: '2025-03-12',
      },
    ]);
  });

  test("an unconsented account is unknown, also by another consent's resource id", async () => {
    const { app } = sandbox();
    const mine = await connect(app, [DEMO_IBAN]);
    const res = await ais(
      app,
      `/INGB/v1/accounts/${encodeURIComponent(DONALD_PROJECTS)}/balances`,
      mine.tokens.access_token,
      mine.consentId,
    );
    expect(res.status).toBe(404);
    expect(res.body.tppMessages[0].code).toBe('RESOURCE_UNKNOWN');
  });

  test('paging via _links.next returns every booked ledger entry exactly once', async () => {
    const { app, admin } = sandbox({ pageSize: 7 });
    const { consentId, tokens } = await connect(app);
    const resourceId = await resourceIdOf(app, tokens.access_token, consentId, DEMO_IBAN);
    const { booked, pending, pages } = await allTransactionPages(
      app,
      `/INGB/v1/accounts/${resourceId}/transactions?bookingStatus=booked&dateFrom=2025-01-01`,
      tokens.access_token,
      consentId,
    );
    const ledgerBooked = admin.ledger(DEMO_IBAN).entries.filter((e) => e.status === 'booked');
    expect(ledgerBooked).toHaveLength(107);
    expect(pages).toBe(16);
    expect(pending).toEqual([]);
    expect(booked.map((t) => t.entryReference)).toEqual(ledgerBooked.map((e) => e.entryReference));
    expect(new Set(booked.map((t) => t.transactionId)).size).toBe(107);
    expect(booked[0]).toEqual({
      transactionId: 'a92ed91c4529ed326ca31c83',
      entryReference: '202502052782632254',
      endToEndId: ledgerBooked[0]?.endToEndId,
      mandateId: ledgerBooked[0]?.mandateId,
      creditorId: ledgerBooked[0]?.creditorId,
      bookingDate: '2025-02-05',
      valueDate: '2025-02-05',
      transactionAmount: { currency: 'EUR', amount: '-105.98' },
      creditorName: 'KPN B.V.',
      creditorAccount: { iban: ledgerBooked[0]?.counterpartyIban },
      remittanceInformationUnstructured: ledgerBooked[0]?.remittanceInformationUnstructured,
      bankTransactionCode: 'PMNT-RDDT-ESDD',
    });
    expect(booked[1]).toMatchObject({ debtorName: 'Fysiotherapie De Linde', transactionAmount: { amount: '1075.27' } });
  });

  test('bookingStatus=both pages through booked then pending; pending has no entryReference', async () => {
    const { app } = sandbox({ pageSize: 10 });
    const { consentId, tokens } = await connect(app);
    const resourceId = await resourceIdOf(app, tokens.access_token, consentId, DEMO_IBAN);
    const { booked, pending } = await allTransactionPages(
      app,
      `/INGB/v1/accounts/${resourceId}/transactions?bookingStatus=both&dateFrom=2025-01-01`,
      tokens.access_token,
      consentId,
    );
    expect(booked).toHaveLength(107);
    expect(pending).toEqual([
      expect.objectContaining({ transactionAmount: { currency: 'EUR', amount: '-29.01' }, valueDate: '2025-03-12' }),
    ]);
    expect(pending[0]).not.toHaveProperty('entryReference');
    expect(pending[0]).not.toHaveProperty('bookingDate');
  });

  test('dateFrom and dateTo filter on booking date', async () => {
    const { app, admin } = sandbox({ pageSize: 5 });
    const { consentId, tokens } = await connect(app);
    const resourceId = await resourceIdOf(app, tokens.access_token, consentId, DEMO_IBAN);
    const { booked } = await allTransactionPages(
      app,
      `/INGB/v1/accounts/${resourceId}/transactions?bookingStatus=booked&dateFrom=2025-02-24&dateTo=2025-02-28`,
      tokens.access_token,
      consentId,
    );
    const expected = admin
      .ledger(DEMO_IBAN)
      .entries.filter((e) => e.status === 'booked' && e.bookingDate >= '2025-02-24' && e.bookingDate <= '2025-02-28');
    expect(expected).toHaveLength(15);
    expect(booked.map((t) => t.entryReference)).toEqual(expected.map((e) => e.entryReference));
    expect(booked.every((t) => String(t.bookingDate) >= '2025-02-24' && String(t.bookingDate) <= '2025-02-28')).toBe(
      true,
    );

    const missing = await ais(
      app,
      `/INGB/v1/accounts/${resourceId}/transactions?bookingStatus=booked`,
      tokens.access_token,
      consentId,
    );
    expect(missing.status).toBe(400);
    expect(missing.body.tppMessages[0].code).toBe('FORMAT_ERROR');
    const backwards = await ais(
      app,
      `/INGB/v1/accounts/${resourceId}/transactions?bookingStatus=booked&dateFrom=2025-03-02&dateTo=2025-03-01`,
      tokens.access_token,
      consentId,
    );
    expect(backwards.body.tppMessages[0].code).toBe('PERIOD_INVALID');
  });

  test("R-V13: a cent added through the admin API shows up as today's booked transaction", async () => {
    const { app, admin } = sandbox();
    const { consentId, tokens } = await connect(app);
    const resourceId = await resourceIdOf(app, tokens.access_token, consentId, DEMO_IBAN);
    const today = `/INGB/v1/accounts/${resourceId}/transactions?bookingStatus=booked&dateFrom=2025-03-12`;
    expect((await ais(app, today, tokens.access_token, consentId)).body.transactions.booked).toEqual([]);

    const added = await request(app).post(`/admin/accounts/${DEMO_IBAN}/transactions`).send({});
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ amountCents: 1, bookingDate: '2025-03-12', status: 'booked', sequence: 109 });
    admin.addTransaction(DEMO_IBAN, {
      amountCents: -250,
      counterpartyName: 'Bakkerij Bart',
      counterpartyIban: null,
      description: 'Koffie',
    });

    const res = await ais(app, today, tokens.access_token, consentId);
    expect(res.body.transactions.booked).toEqual([
      expect.objectContaining({
        entryReference: added.body.entryReference,
        transactionAmount: { currency: 'EUR', amount: '0.01' },
        debtorName: 'J. de Tester',
        bankTransactionCode: 'PMNT-RCDT-ESCT',
      }),
      expect.objectContaining({
        transactionAmount: { currency: 'EUR', amount: '-2.50' },
        creditorName: 'Bakkerij Bart',
      }),
    ]);
    const ledger = await request(app).get(`/admin/accounts/${DEMO_IBAN}/ledger`);
    expect(ledger.body.entries).toHaveLength(110);
    expect(ledger.body.balances[1]).toEqual({
      balanceType: 'interimBooked',
      referenceDate: '2025-03-12',
      amountCents: 9_624_621 + 1 - 250,
    });
  });

  test('revoked by the PSU: 401 CONSENT_INVALID; terminated by the TPP likewise; expired: 401 CONSENT_EXPIRED', async () => {
    const { app, admin } = sandbox();
    const revoked = await connect(app, [DEMO_IBAN]);
    const res = await request(app).post(`/admin/consents/${revoked.consentId}/revoke`);
    expect(res.body.status).toBe('revokedByPsu');
    const after = await ais(app, '/INGB/v1/accounts', revoked.tokens.access_token, revoked.consentId);
    expect(after.status).toBe(401);
    expect(after.body).toEqual({
      tppMessages: [{ category: 'ERROR', code: 'CONSENT_INVALID', text: 'Consent is revokedByPsu' }],
    });
    const refresh = await request(app)
      .post('/INGB/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: revoked.tokens.refresh_token, client_id: CLIENT.clientId });
    expect(refresh.body).toEqual({ error: 'invalid_grant', error_description: 'Consent is revokedByPsu' });

    const terminated = await connect(app, [DEMO_IBAN], 'ing-admin');
    const deleted = await request(app)
      .delete(`/INGB/v1/consents/${terminated.consentId}`)
      .set('X-Request-ID', randomUUID());
    expect(deleted.status).toBe(204);
    expect(admin.consent(terminated.consentId)?.status).toBe('terminatedByTpp');
    expect(
      (await ais(app, '/INGB/v1/accounts', terminated.tokens.access_token, terminated.consentId)).body.tppMessages[0]
        .code,
    ).toBe('CONSENT_INVALID');

    const { app: app2, admin: admin2 } = sandbox();
    const expiring = await connect(app2, [DEMO_IBAN]);
    admin2.expireConsent(expiring.consentId);
    const expired = await ais(app2, '/INGB/v1/accounts', expiring.tokens.access_token, expiring.consentId);
    expect(expired.status).toBe(401);
    expect(expired.body.tppMessages[0].code).toBe('CONSENT_EXPIRED');
  });

  test('a consent lapses after its validUntil', async () => {
    const { app, advance } = sandbox();
    const consentId = await createConsent(app, 'INGB', { validUntil: '2025-03-13' });
    const selectPage = await loginAs(app, 'INGB', consentId, 'ing-owner');
    const signed = await sign(app, 'INGB', selectPage.text, [DEMO_IBAN]);
    const code = new URL(signed.headers.location as string).searchParams.get('code') ?? '';
    const tokens = (await exchange(app, code)).body as TokenResponse;
    advance(2 * 24 * 3600 * 1000);
    const res = await ais(app, '/INGB/v1/accounts', tokens.access_token, consentId);
    expect(res.body.tppMessages[0]).toEqual({
      category: 'ERROR',
      code: 'CONSENT_EXPIRED',
      text: 'Consent expired (valid until 2025-03-13)',
    });
  });

  test('injected 429s carry Retry-After and then stop; an injected 500 answers once', async () => {
    const { app } = sandbox();
    const { consentId, tokens } = await connect(app);
    const injected = await request(app).post('/admin/faults').send({ status: 429, count: 2, retryAfterSeconds: 30 });
    expect(injected.status).toBe(204);
    for (let i = 0; i < 2; i++) {
      const res = await ais(app, '/INGB/v1/accounts', tokens.access_token, consentId).set(
        'PSU-IP-Address',
        '192.0.2.10',
      );
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('30');
      expect(res.body.tppMessages[0].code).toBe('ACCESS_EXCEEDED');
    }
    expect((await ais(app, '/INGB/v1/accounts', tokens.access_token, consentId)).status).toBe(200);

    await request(app).post('/admin/faults').send({ status: 500 });
    const failed = await request(app)
      .post('/INGB/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: CLIENT.clientId });
    expect(failed.status).toBe(500);
    const retried = await request(app)
      .post('/INGB/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: CLIENT.clientId });
    expect(retried.status).toBe(200);
  });

  test('unattended access beyond frequencyPerDay answers 429 ACCESS_EXCEEDED until the next day', async () => {
    const { app, advance } = sandbox();
    const consentId = await createConsent(app, 'INGB', { frequencyPerDay: 2 });
    const selectPage = await loginAs(app, 'INGB', consentId, 'ing-owner');
    const signed = await sign(app, 'INGB', selectPage.text, [DEMO_IBAN]);
    const code = new URL(signed.headers.location as string).searchParams.get('code') ?? '';
    const tokens = (await exchange(app, code)).body as TokenResponse;

    expect((await ais(app, '/INGB/v1/accounts', tokens.access_token, consentId)).status).toBe(200);
    expect((await ais(app, '/INGB/v1/accounts', tokens.access_token, consentId)).status).toBe(200);
    const third = await ais(app, '/INGB/v1/accounts', tokens.access_token, consentId);
    expect(third.status).toBe(429);
    expect(third.body.tppMessages[0].code).toBe('ACCESS_EXCEEDED');
    // 10:30 in Amsterdam: 13.5 hours to midnight.
    expect(third.headers['retry-after']).toBe(String(13.5 * 3600));
    const present = await ais(app, '/INGB/v1/accounts', tokens.access_token, consentId).set(
      'PSU-IP-Address',
      '192.0.2.10',
    );
    expect(present.status).toBe(200);

    advance(14 * 3600 * 1000);
    const refreshed = await request(app)
      .post('/INGB/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: CLIENT.clientId });
    expect((await ais(app, '/INGB/v1/accounts', refreshed.body.access_token, consentId)).status).toBe(200);
  });

  test('missing X-Request-ID, unknown token and a token of another bank are refused', async () => {
    const { app } = sandbox();
    const { consentId, tokens } = await connect(app);
    const noRequestId = await request(app)
      .get('/INGB/v1/accounts')
      .set('Authorization', `Bearer ${tokens.access_token}`)
      .set('Consent-ID', consentId);
    expect(noRequestId.status).toBe(400);
    expect(noRequestId.body.tppMessages[0].code).toBe('FORMAT_ERROR');
    expect((await ais(app, '/INGB/v1/accounts', 'nonsense', consentId)).body.tppMessages[0].code).toBe('TOKEN_UNKNOWN');
    expect((await ais(app, '/RABO/v1/accounts', tokens.access_token, consentId)).body.tppMessages[0].code).toBe(
      'TOKEN_UNKNOWN',
    );
  });
});

describe('sandbox bank server and admin HTTP API', () => {
  test('startSandboxBank serves the banks on a port of its own and registers clients over HTTP', async () => {
    const running = await startSandboxBank({ port: 0, seed: 7 });
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const metadata = await fetch(`${running.url}/ABNA/.well-known/oauth-authorization-server`);
      expect(await metadata.json()).toMatchObject({ issuer: `${running.url}/ABNA` });
      const registered = await fetch(`${running.url}/admin/clients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'demo', redirectUris: ['http://localhost:3000/connect/callback'] }),
      });
      expect(registered.status).toBe(201);
      const bad = await fetch(`${running.url}/admin/clients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'demo', redirectUris: ['not a url'] }),
      });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(running.admin.users().length).toBe(TEST_USERS.length);
      const index = await fetch(`${running.url}/`);
      expect(await index.text()).toContain('ing-owner');
    } finally {
      await running.close();
    }
  });

  test('latency and page size are set through the admin API', async () => {
    const { app } = sandbox();
    expect((await request(app).put('/admin/latency').send({ ms: 25 })).status).toBe(204);
    expect((await request(app).put('/admin/page-size').send({ size: 0 })).status).toBe(400);
    const started = Date.now();
    await request(app)
      .post('/INGB/v1/consents')
      .set('X-Request-ID', randomUUID())
      .send({ access: {}, recurringIndicator: true, validUntil: '2025-06-01', frequencyPerDay: 4 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(20);
    const consents = await request(app).get('/admin/consents');
    expect(consents.body.items).toHaveLength(1);
    expect(consents.body.items[0]).toMatchObject({ bank: 'INGB', status: 'received' });
  });
});
