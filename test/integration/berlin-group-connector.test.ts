import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createBerlinGroupConnector, parseAmountCents } from '../../banks/berlin-group';
import type { BankConnector, BankSession, BankTokens, BankTransaction, TransactionPage } from '../../banks/connector';
import {
  BankRequestError,
  BankUnavailableError,
  ConsentInvalidError,
  RateLimitedError,
  TokenExpiredError,
} from '../../banks/errors';
import { bankEndpointsFromEnv, BankConfigError, createConnectorFor, SANDBOX_CLIENT_ID } from '../../banks/registry';
import { createOAuthState, createPkcePair } from '../../domain/pkce';
import { type LedgerEntry, type RunningSandboxBank, SANDBOX_PASSWORD, startSandboxBank } from '../../sandbox/bank';
import { freePort } from '../../bin/stack/provision';

/**
 * The Berlin Group connector driven the way the platform drives it (DESIGN.md "Onboarding workflow" steps 4-6,
 * "Recurring fetches"): consent, the client's trip through the bank's pages (plain form posts, as a browser sends
 * them), code exchange, accounts by IBAN (R-A12), transactions page by page compared with the bank's own ledger,
 * token refresh, and every typed error.
 */

const REDIRECT_URI = 'http://localhost:3000/connect/callback';
/** A Wednesday, 10:00 in Amsterdam: the sandbox's day, history and token clock all follow this. */
const START = new Date('2025-06-11T08:00:00Z');
const TODAY = '2025-06-11';
const CLIENT_IP = '203.0.113.7';

const ING_CURRENT = 'NL69INGB0123456789';
const ING_PROJECT = 'NL47INGB0123456797';
const ING_SAVINGS = 'NL21INGB0987654321';

let clock = START;
let bank: RunningSandboxBank;

beforeAll(async () => {
  bank = await startSandboxBank({
    port: 0,
    seed: 11,
    now: () => clock,
    clients: [{ clientId: SANDBOX_CLIENT_ID, redirectUris: [REDIRECT_URI] }],
  });
});

afterAll(async () => {
  await bank.close();
});

beforeEach(() => {
  clock = START;
  bank.admin.clearFaults();
  bank.admin.setPageSize(50);
});

function connectorFor(code: 'INGB' | 'RABO' | 'ABNA' = 'INGB', timeoutMs?: number): BankConnector {
  return createConnectorFor(
    code,
    { sandboxBankUrl: bank.url },
    { now: () => clock, ...(timeoutMs ? { timeoutMs } : {}) },
  );
}

// ---- The client's browser at the bank ----

interface BankForm {
  action: string;
  flow: string;
  offeredAccounts: string[];
}

function decodeHtml(value: string): string {
  return value
    .replace(/&#x3D;/g, '=')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function readForm(html: string, pageUrl: string): BankForm {
  const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
  const flow = /<input type="hidden" name="flow" value="([^"]+)">/.exec(html)?.[1];
  if (!action || !flow) throw new Error(`no bank form on ${pageUrl}`);
  return {
    action: new URL(decodeHtml(action), pageUrl).toString(),
    flow: decodeHtml(flow),
    offeredAccounts: [...html.matchAll(/<input type="checkbox" name="accounts" value="([^"]+)"/g)].map((m) =>
      decodeHtml(m[1] ?? ''),
    ),
  };
}

function post(action: string, fields: Array<[string, string]>): Promise<Response> {
  return fetch(action, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

function location(response: Response): URL {
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location') ?? '');
}

/**
 * Logs in as `username`, ticks the accounts `choose` picks from those offered, signs; returns the redirect back to us.
 */
async function signAtBank(
  authorizationUrl: string,
  username: string,
  choose: (offered: string[]) => string[] = (offered) => offered,
): Promise<{ callback: URL; offered: string[] }> {
  const loginPage = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(loginPage.status).toBe(200);
  const login = readForm(await loginPage.text(), authorizationUrl);
  const afterLogin = await post(login.action, [
    ['flow', login.flow],
    ['username', username],
    ['password', SANDBOX_PASSWORD],
    ['action', 'login'],
  ]);
  if (afterLogin.status === 303) return { callback: location(afterLogin), offered: [] };
  expect(afterLogin.status).toBe(200);
  const select = readForm(await afterLogin.text(), login.action);
  const ticked = choose(select.offeredAccounts).map((iban): [string, string] => ['accounts', iban]);
  const signed = await post(select.action, [['flow', select.flow], ...ticked, ['action', 'sign']]);
  return { callback: location(signed), offered: select.offeredAccounts };
}

interface Connected {
  consentId: string;
  tokens: BankTokens;
  unattended: BankSession;
  attended: BankSession;
}

/** Onboarding steps 4-5 end to end: consent, the bank's pages, callback with state, code exchange. */
async function connect(
  connector: BankConnector,
  username: string,
  choose?: (offered: string[]) => string[],
): Promise<Connected> {
  const { consentId } = await connector.createConsent({
    validUntil: '2025-09-01',
    frequencyPerDay: 4,
    recurringIndicator: true,
    psuIpAddress: CLIENT_IP,
  });
  const pkce = createPkcePair();
  const state = createOAuthState();
  const url = await connector.authorizationUrl({
    consentId,
    state,
    codeChallenge: pkce.challenge,
    redirectUri: REDIRECT_URI,
  });
  const { callback } = await signAtBank(url, username, choose);
  expect(callback.searchParams.get('state')).toBe(state);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`the bank sent no code: ${callback.searchParams.get('error_description')}`);
  const tokens = await connector.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT_URI });
  return {
    consentId,
    tokens,
    unattended: { consentId, accessToken: tokens.accessToken, unattended: true },
    attended: { consentId, accessToken: tokens.accessToken, unattended: false, psuIpAddress: CLIENT_IP },
  };
}

async function allPages(pages: AsyncIterable<TransactionPage>): Promise<TransactionPage[]> {
  const collected: TransactionPage[] = [];
  for await (const page of pages) collected.push(page);
  return collected;
}

function resourceIdOf(accounts: Array<{ iban: string; resourceId: string }>, iban: string): string {
  const account = accounts.find((a) => a.iban === iban);
  if (!account) throw new Error(`account ${iban} is not consented`);
  return account.resourceId;
}

function expectedFromLedger(entry: LedgerEntry): BankTransaction {
  return {
    transactionId: entry.transactionId,
    entryReference: entry.entryReference,
    bookingDate: entry.status === 'booked' ? entry.bookingDate : null,
    valueDate: entry.valueDate,
    amountCents: entry.amountCents,
    currency: entry.currency,
    counterpartyIban: entry.counterpartyIban,
    counterpartyName: entry.counterpartyName,
    description: entry.remittanceInformationUnstructured ?? entry.remittanceInformationStructured ?? '',
    endToEndId: entry.endToEndId,
    bankTransactionCode: entry.bankTransactionCode,
    booked: entry.status === 'booked',
  };
}

// ---- Against the sandbox bank ----

describe('Berlin Group connector against the sandbox bank', () => {
  it('creates a consent, sends the client through the bank with state and PKCE, and exchanges the code (R-D1 step 4)', async () => {
    const connector = connectorFor('INGB');
    const created = await connector.createConsent({
      validUntil: '2025-09-01',
      frequencyPerDay: 4,
      recurringIndicator: true,
      psuIpAddress: CLIENT_IP,
    });
    expect(created.consentStatus).toBe('received');
    expect(created.consentId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(connector.getConsent(created.consentId)).resolves.toEqual({
      consentId: created.consentId,
      status: 'received',
      validUntil: '2025-09-01',
      frequencyPerDay: 4,
      recurringIndicator: true,
      accounts: [],
    });

    const pkce = createPkcePair();
    const state = createOAuthState();
    const url = new URL(
      await connector.authorizationUrl({
        consentId: created.consentId,
        state,
        codeChallenge: pkce.challenge,
        redirectUri: REDIRECT_URI,
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe(`${bank.url}/INGB/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'bankkoppeling',
      redirect_uri: REDIRECT_URI,
      scope: `AIS:${created.consentId}`,
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });

    const { callback, offered } = await signAtBank(url.toString(), 'ing-owner', () => [ING_CURRENT, ING_SAVINGS]);
    expect(offered).toEqual([ING_CURRENT, ING_PROJECT, ING_SAVINGS]);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe(state);
    const code = callback.searchParams.get('code') ?? '';

    // A wrong verifier is refused without spending the code: the right one still works afterwards.
    const wrong = await connector
      .exchangeCode({ code, codeVerifier: createPkcePair().verifier, redirectUri: REDIRECT_URI })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ConsentInvalidError);
    expect(wrong).toMatchObject({
      code: 'invalid_grant',
      status: 400,
      text: 'code_verifier does not match the code_challenge',
    });
    expect((wrong as Error).message).not.toContain(code);

    const tokens = await connector.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT_URI });
    expect(tokens.scope).toBe(`AIS:${created.consentId}`);
    expect(tokens.expiresAt).toEqual(new Date(START.getTime() + 3600_000));
    expect(tokens.accessToken).not.toBe(tokens.refreshToken);

    const session: BankSession = { consentId: created.consentId, accessToken: tokens.accessToken, unattended: true };
    await expect(connector.getConsent(created.consentId, session)).resolves.toEqual({
      consentId: created.consentId,
      status: 'valid',
      validUntil: '2025-09-01',
      frequencyPerDay: 4,
      recurringIndicator: true,
      accounts: [ING_CURRENT, ING_SAVINGS],
    });
  });

  it('reads back the validUntil and frequencyPerDay the bank lowered', async () => {
    const connector = connectorFor('INGB');
    const { consentId } = await connector.createConsent({
      validUntil: '2026-12-31',
      frequencyPerDay: 6,
      recurringIndicator: true,
    });
    // PSD2: at most 180 days (11 June + 180 = 8 December) and 4 unattended accesses a day.
    await expect(connector.getConsent(consentId)).resolves.toMatchObject({
      validUntil: '2025-12-08',
      frequencyPerDay: 4,
    });
  });

  it('limits the accounts the client can pick to the IBANs named in the consent', async () => {
    const connector = connectorFor('INGB');
    const { consentId } = await connector.createConsent({
      validUntil: '2025-09-01',
      frequencyPerDay: 4,
      recurringIndicator: true,
      ibans: ['nl47 ingb 0123 4567 97'],
    });
    const pkce = createPkcePair();
    const url = await connector.authorizationUrl({
      consentId,
      state: createOAuthState(),
      codeChallenge: pkce.challenge,
      redirectUri: REDIRECT_URI,
    });
    const { offered } = await signAtBank(url, 'ing-admin');
    expect(offered).toEqual([ING_PROJECT]);
    expect(bank.admin.consent(consentId)?.accounts).toEqual([ING_PROJECT]);
  });

  it('tells a refusal by a user without the right role from a consent (R-A3): access_denied and a rejected consent', async () => {
    const connector = connectorFor('RABO');
    const { consentId } = await connector.createConsent({
      validUntil: '2025-09-01',
      frequencyPerDay: 4,
      recurringIndicator: true,
    });
    const state = createOAuthState();
    const url = await connector.authorizationUrl({
      consentId,
      state,
      codeChallenge: createPkcePair().challenge,
      redirectUri: REDIRECT_URI,
    });
    const { callback } = await signAtBank(url, 'rabo-employee');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('code')).toBeNull();
    await expect(connector.getConsent(consentId)).resolves.toMatchObject({ status: 'rejected', accounts: [] });
  });

  it('lists the consented accounts by IBAN, each bank under its own prefix, with resource ids that differ per consent (R-A12)', async () => {
    const rabo = connectorFor('RABO');
    const first = await connect(rabo, 'rabo-owner', (offered) => offered.slice(0, 2));
    const accounts = await rabo.listAccounts(first.attended);
    expect(accounts).toEqual([
      {
        resourceId: expect.any(String),
        iban: 'NL25RABO0312456781',
        currency: 'EUR',
        name: 'Betaalrekening Test EMZ Dagobert',
        product: 'Rabo BedrijfsRekening',
        cashAccountType: 'CACC',
      },
      {
        resourceId: expect.any(String),
        iban: 'NL24RABO0312456799',
        currency: 'EUR',
        name: 'Kassarekening Test EMZ Dagobert',
        product: 'Rabo BedrijfsRekening',
        cashAccountType: 'CACC',
      },
    ]);

    // Linking again (R-A9) yields a new consent with new resource ids, and expires the former one.
    const second = await connect(rabo, 'rabo-owner');
    const again = await rabo.listAccounts(second.attended);
    expect(again.map((a) => a.iban)).toEqual(['NL25RABO0312456781', 'NL24RABO0312456799', 'NL50RABO3124567811']);
    expect(resourceIdOf(again, 'NL25RABO0312456781')).not.toBe(resourceIdOf(accounts, 'NL25RABO0312456781'));
    const expired = await rabo.listAccounts(first.attended).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(ConsentInvalidError);
    expect(expired).toMatchObject({
      code: 'CONSENT_EXPIRED',
      status: 401,
      retryable: false,
      type: 'ConsentInvalidError',
    });
  });

  it('pages through the transactions and yields every booked entry of the bank ledger exactly once (R-A18)', async () => {
    const ing = connectorFor('INGB');
    const { unattended } = await connect(ing, 'ing-owner');
    const resourceId = resourceIdOf(await ing.listAccounts(unattended), ING_CURRENT);
    const ledger = bank.admin.ledger(ING_CURRENT);
    const dateFrom = '2025-05-26';
    const expected = ledger.entries
      .filter((e) => e.status === 'booked' && e.bookingDate >= dateFrom)
      .map(expectedFromLedger);
    expect(expected.length).toBeGreaterThan(30);
    expect(ledger.entries.some((e) => e.status === 'booked' && e.bookingDate < dateFrom)).toBe(true);

    bank.admin.setPageSize(7);
    const pages = await allPages(ing.transactions(unattended, resourceId, { dateFrom, bookingStatus: 'booked' }));
    // Many more pages than the 4 unattended accesses a day: follow-up pages are part of one access.
    expect(pages.length).toBe(Math.ceil(expected.length / 7));
    expect(pages.every((p) => p.pending.length === 0 && p.booked.length <= 7)).toBe(true);
    const booked = pages.flatMap((p) => p.booked);
    expect(booked).toEqual(expected);
    expect(new Set(booked.map((t) => t.entryReference)).size).toBe(booked.length);
  });

  it('maps amounts, counterparties and descriptions exactly, and keeps pending entries apart (R-V13)', async () => {
    const ing = connectorFor('INGB');
    const { attended } = await connect(ing, 'ing-owner', () => [ING_PROJECT]);
    const tax = bank.admin.addTransaction(ING_PROJECT, {
      amountCents: -123456,
      counterpartyName: 'Belastingdienst',
      counterpartyIban: 'NL86 INGB 0002 4455 88',
      description: 'Omzetbelasting 2e kwartaal',
      endToEndId: 'E2E-2025-Q2',
    });
    const cent = bank.admin.addTransaction(ING_PROJECT);
    bank.admin.addTransaction(ING_PROJECT, {
      amountCents: -250,
      counterpartyName: 'Albert Heijn 1403',
      counterpartyIban: null,
      description: 'Betaalpas',
      status: 'pending',
    });

    const [resourceId] = (await ing.listAccounts(attended)).map((a) => a.resourceId);
    const pages = await allPages(
      ing.transactions(attended, resourceId ?? '', { dateFrom: TODAY, bookingStatus: 'both' }),
    );
    const booked = pages.flatMap((p) => p.booked);
    const pending = pages.flatMap((p) => p.pending);
    expect(booked).toEqual([
      {
        transactionId: tax.transactionId,
        entryReference: tax.entryReference,
        bookingDate: TODAY,
        valueDate: TODAY,
        amountCents: -123456,
        currency: 'EUR',
        counterpartyIban: 'NL86INGB0002445588',
        counterpartyName: 'Belastingdienst',
        description: 'Omzetbelasting 2e kwartaal',
        endToEndId: 'E2E-2025-Q2',
        bankTransactionCode: 'PMNT-ICDT-ESCT',
        booked: true,
      },
      {
        transactionId: cent.transactionId,
        entryReference: cent.entryReference,
        bookingDate: TODAY,
        valueDate: TODAY,
        amountCents: 1,
        currency: 'EUR',
        counterpartyIban: 'NL91RABO0300000017',
        counterpartyName: 'J. de Tester',
        description: 'Testoverboeking bankkoppeling',
        endToEndId: null,
        bankTransactionCode: 'PMNT-RCDT-ESCT',
        booked: true,
      },
    ]);
    expect(tax.entryReference).toMatch(/^20250611\d{10}$/);
    expect(pending).toContainEqual(
      expect.objectContaining({
        amountCents: -250,
        counterpartyName: 'Albert Heijn 1403',
        counterpartyIban: null,
        description: 'Betaalpas',
        bookingDate: null,
        entryReference: null,
        booked: false,
      }),
    );
    expect(pending.every((t) => !t.booked && t.bookingDate === null)).toBe(true);
  });

  it('reads balances in cents', async () => {
    const ing = connectorFor('INGB');
    const { attended } = await connect(ing, 'ing-owner', () => [ING_SAVINGS]);
    const [account] = await ing.listAccounts(attended);
    const balances = await ing.balances(attended, account?.resourceId ?? '');
    const expected = bank.admin.ledger(ING_SAVINGS).balances;
    expect(balances).toEqual(
      expected.map((b) => ({
        balanceType: b.balanceType,
        amountCents: b.amountCents,
        currency: 'EUR',
        referenceDate: b.referenceDate,
      })),
    );
    expect(account?.cashAccountType).toBe('SVGS');
  });

  it('refreshes tokens: the new access token works, the spent refresh token is refused', async () => {
    const ing = connectorFor('INGB');
    const { consentId, tokens } = await connect(ing, 'ing-katrien');
    clock = new Date(START.getTime() + 600_000);
    const refreshed = await ing.refreshTokens(tokens.refreshToken);
    expect(refreshed).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresAt: new Date(START.getTime() + 4200_000),
      scope: `AIS:${consentId}`,
    });
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    await expect(
      ing.listAccounts({ consentId, accessToken: refreshed.accessToken, unattended: true }),
    ).resolves.toHaveLength(2);

    const spent = await ing.refreshTokens(tokens.refreshToken).catch((e: unknown) => e);
    expect(spent).toBeInstanceOf(ConsentInvalidError);
    expect(spent).toMatchObject({ code: 'invalid_grant', status: 400 });
    expect((spent as Error).message).not.toContain(tokens.refreshToken);
  });

  it('answers an expired access token with TokenExpiredError, and a refresh brings access back', async () => {
    const ing = connectorFor('INGB');
    const { consentId, tokens, unattended } = await connect(ing, 'ing-owner');
    clock = new Date(START.getTime() + 3601_000);
    const error = await ing.listAccounts(unattended).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenExpiredError);
    expect(error).toMatchObject({
      type: 'TokenExpiredError',
      name: 'TokenExpiredError',
      code: 'TOKEN_INVALID',
      status: 401,
      text: 'The access token has expired',
      bankCode: 'INGB',
    });
    expect((error as Error).message).toBe(
      'INGB: the access token was not accepted (HTTP 401 TOKEN_INVALID: The access token has expired)',
    );
    expect((error as Error).message).not.toContain(tokens.accessToken);

    const refreshed = await ing.refreshTokens(tokens.refreshToken);
    await expect(
      ing.listAccounts({ consentId, accessToken: refreshed.accessToken, unattended: true }),
    ).resolves.toHaveLength(3);
  });

  it('answers a consent the client revoked at the bank with ConsentInvalidError, on every call and at refresh', async () => {
    const ing = connectorFor('INGB');
    const { consentId, tokens, unattended } = await connect(ing, 'ing-owner');
    const resourceId = resourceIdOf(await ing.listAccounts(unattended), ING_CURRENT);
    bank.admin.revokeConsent(consentId);

    const listing = await ing.listAccounts(unattended).catch((e: unknown) => e);
    expect(listing).toBeInstanceOf(ConsentInvalidError);
    expect(listing).toMatchObject({
      code: 'CONSENT_INVALID',
      status: 401,
      text: 'Consent is revokedByPsu',
      retryable: false,
    });
    await expect(
      allPages(ing.transactions(unattended, resourceId, { dateFrom: TODAY, bookingStatus: 'booked' })),
    ).rejects.toBeInstanceOf(ConsentInvalidError);
    await expect(ing.refreshTokens(tokens.refreshToken)).rejects.toMatchObject({
      type: 'ConsentInvalidError',
      code: 'invalid_grant',
      text: 'Consent is revokedByPsu',
    });
    await expect(ing.getConsent(consentId, unattended)).resolves.toMatchObject({ status: 'revokedByPsu' });
    await expect(ing.deleteConsent(consentId, unattended)).resolves.toBeUndefined();
  });

  it('answers an expired consent with CONSENT_EXPIRED, and ends a consent it deletes (terminatedByTpp)', async () => {
    const ing = connectorFor('INGB');
    const first = await connect(ing, 'ing-admin');
    bank.admin.expireConsent(first.consentId);
    await expect(ing.listAccounts(first.unattended)).rejects.toMatchObject({
      type: 'ConsentInvalidError',
      code: 'CONSENT_EXPIRED',
    });

    const second = await connect(ing, 'ing-admin');
    await ing.deleteConsent(second.consentId, second.unattended);
    await expect(ing.getConsent(second.consentId, second.unattended)).resolves.toMatchObject({
      status: 'terminatedByTpp',
    });
    await expect(ing.listAccounts(second.unattended)).rejects.toMatchObject({
      type: 'ConsentInvalidError',
      code: 'CONSENT_INVALID',
    });
  });

  it('answers an injected 429 with RateLimitedError and its Retry-After, at the API and the token endpoint', async () => {
    const ing = connectorFor('INGB');
    const { tokens, unattended } = await connect(ing, 'ing-owner');
    bank.admin.failNext({ status: 429, count: 2, retryAfterSeconds: 120 });
    const limited = await ing.listAccounts(unattended).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited).toMatchObject({
      type: 'RateLimitedError',
      status: 429,
      code: 'ACCESS_EXCEEDED',
      retryAfterSeconds: 120,
      retryable: true,
    });
    await expect(ing.refreshTokens(tokens.refreshToken)).rejects.toMatchObject({
      type: 'RateLimitedError',
      retryAfterSeconds: 120,
    });

    // Neither refused call spent anything: the same refresh token and access token work once the bank lets us.
    await expect(ing.refreshTokens(tokens.refreshToken)).resolves.toMatchObject({
      scope: expect.stringMatching(/^AIS:/),
    });
    await expect(ing.listAccounts(unattended)).resolves.toHaveLength(3);
  });

  it('counts unattended calls against frequencyPerDay: the fifth is refused until Amsterdam midnight, attended calls are free', async () => {
    const ing = connectorFor('INGB');
    const { unattended, attended } = await connect(ing, 'ing-katrien');
    for (let i = 0; i < 4; i += 1) await ing.listAccounts(unattended);
    await expect(ing.listAccounts(attended)).resolves.toHaveLength(2);
    const limited = await ing.listAccounts(unattended).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitedError);
    // 10:00 in Amsterdam: fourteen hours until the counter starts again.
    expect(limited).toMatchObject({ code: 'ACCESS_EXCEEDED', retryAfterSeconds: 14 * 3600 });
  });

  it('answers an injected 500 with BankUnavailableError', async () => {
    const ing = connectorFor('INGB');
    const { unattended } = await connect(ing, 'ing-owner');
    bank.admin.failNext({ status: 500 });
    const error = await ing.listAccounts(unattended).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BankUnavailableError);
    expect(error).toMatchObject({
      type: 'BankUnavailableError',
      status: 500,
      code: 'INTERNAL_SERVER_ERROR',
      retryable: true,
    });
    await expect(ing.listAccounts(unattended)).resolves.toHaveLength(3);
  });

  it('sends a fresh X-Request-ID, the consent and the token on every call, and PSU-IP-Address only when the client is present', async () => {
    const seen: Array<{ path: string; headers: Headers }> = [];
    const recording: typeof fetch = (input, init) => {
      seen.push({ path: new URL(String(input)).pathname, headers: new Headers(init?.headers) });
      return fetch(input, init);
    };
    const ing = createBerlinGroupConnector({
      bankCode: 'INGB',
      baseUrl: `${bank.url}/INGB`,
      clientId: SANDBOX_CLIENT_ID,
      fetch: recording,
    });
    const { consentId, tokens, unattended, attended } = await connect(ing, 'ing-owner');
    await ing.listAccounts(unattended);
    await ing.listAccounts(attended);

    const api = seen.filter((s) => s.path.includes('/v1/'));
    const [create, listUnattended, listAttended] = api;
    expect(api).toHaveLength(3);
    expect(create?.headers.get('PSU-IP-Address')).toBe(CLIENT_IP);
    expect(create?.headers.get('Authorization')).toBeNull();
    expect(listUnattended?.headers.get('PSU-IP-Address')).toBeNull();
    expect(listAttended?.headers.get('PSU-IP-Address')).toBe(CLIENT_IP);
    for (const call of [listUnattended, listAttended]) {
      expect(call?.headers.get('Consent-ID')).toBe(consentId);
      expect(call?.headers.get('Authorization')).toBe(`Bearer ${tokens.accessToken}`);
    }
    const ids = api.map((s) => s.headers.get('X-Request-ID'));
    expect(
      ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id ?? '')),
    ).toBe(true);
    expect(new Set(ids).size).toBe(3);
    // The token endpoint gets a form, never the XS2A headers.
    const token = seen.find((s) => s.path.endsWith('/oauth/token'));
    expect(token?.headers.get('Content-Type')).toBe('application/x-www-form-urlencoded');
  });

  it('logs every call with its request id and status, and never a token or code', async () => {
    const lines: string[] = [];
    const log = {
      debug: (fields: Record<string, unknown>, message: string) => lines.push(JSON.stringify({ ...fields, message })),
      warn: () => undefined,
    };
    const ing = createBerlinGroupConnector({
      bankCode: 'INGB',
      baseUrl: `${bank.url}/INGB`,
      clientId: SANDBOX_CLIENT_ID,
      log,
    });
    const { tokens, unattended } = await connect(ing, 'ing-owner');
    await ing.refreshTokens(tokens.refreshToken);
    await ing.listAccounts(unattended);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual({
      bank: 'INGB',
      method: 'GET',
      path: '/INGB/v1/accounts',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 200,
      ms: expect.any(Number),
      message: 'bank answered',
    });
    expect(lines).toHaveLength(5);
    for (const secret of [tokens.accessToken, tokens.refreshToken]) expect(lines.join('\n')).not.toContain(secret);
  });
});

// ---- Banks that misbehave ----

describe('Berlin Group connector against banks that do not answer', () => {
  const sockets = new Set<Socket>();
  let silent: Server;
  let stalling: Server;
  const urlOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}/psd2`;
  const session: BankSession = { consentId: 'c-1', accessToken: 'secret-access-token-0123456789', unattended: true };

  const listen = async (onSocket: (socket: Socket) => void): Promise<Server> => {
    const server = createServer((socket) => {
      sockets.add(socket);
      onSocket(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  };

  beforeAll(async () => {
    silent = await listen(() => undefined);
    // Headers, then a body that never ends: the deadline must cover reading the body too.
    stalling = await listen((socket) => {
      socket.once('data', () =>
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"accounts":['),
      );
    });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all([silent, stalling].map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it.each([
    ['hangs before answering', () => silent],
    ['stalls halfway through its answer', () => stalling],
  ])('gives BankUnavailableError within the timeout when the bank %s', async (_what, server) => {
    const connector = createBerlinGroupConnector({
      bankCode: 'INGB',
      baseUrl: urlOf(server()),
      clientId: 'x',
      timeoutMs: 300,
    });
    const started = Date.now();
    const error = await connector.listAccounts(session).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(BankUnavailableError);
    expect(error).toMatchObject({
      type: 'BankUnavailableError',
      status: null,
      retryable: true,
      message: 'INGB: no answer within 300 ms',
    });
  });

  it('gives BankUnavailableError when nothing listens', async () => {
    const port = await freePort();
    const connector = createBerlinGroupConnector({
      bankCode: 'ABNA',
      baseUrl: `http://127.0.0.1:${port}`,
      clientId: 'x',
    });
    await expect(connector.listAccounts(session)).rejects.toMatchObject({
      type: 'BankUnavailableError',
      message: 'ABNA: could not reach the bank: ECONNREFUSED',
    });
  });
});

// ---- Answers a real bank may give that the sandbox does not ----

describe('Berlin Group connector reading answers of other banks', () => {
  const session: BankSession = { consentId: 'c-1', accessToken: 'secret-access-token-0123456789', unattended: true };
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

  function stubbed(answer: (url: URL) => Response): { connector: BankConnector; urls: string[] } {
    const urls: string[] = [];
    const stub: typeof fetch = async (input) => {
      urls.push(String(input));
      return answer(new URL(String(input)));
    };
    return {
      urls,
      connector: createBerlinGroupConnector({
        bankCode: 'RABO',
        baseUrl: 'https://api.bank.test/psd2',
        clientId: 'x',
        fetch: stub,
        now: () => START,
      }),
    };
  }

  const page = (booked: unknown[], next?: string): unknown => ({
    transactions: { booked, pending: [], ...(next ? { _links: { next: { href: next } } } : {}) },
  });
  const entry = (id: string, amount: string, extra: Record<string, unknown> = {}): unknown => ({
    transactionId: id,
    entryReference: id,
    bookingDate: '2025-06-10',
    valueDate: '2025-06-10',
    transactionAmount: { currency: 'EUR', amount },
    ...extra,
  });

  it.each([
    ['12.30', 1230],
    ['12.3', 1230],
    ['-0.01', -1],
    ['0.29', 29],
    ['1000000', 100000000],
    ['-1234.560', -123456],
    ['-0.00', 0],
    ['90071992547409.91', 9007199254740991],
    ['90071992547409.92', null],
    ['1.005', null],
    ['1e5', null],
    ['12,30', null],
    ['+1.00', null],
    ['', null],
    ['.50', null],
  ])('reads amount %j as %p cents', (amount, cents) => {
    expect(parseAmountCents(amount as string)).toBe(cents);
  });

  it('follows path links below the API root, reads structured references and older field shapes', async () => {
    const { connector, urls } = stubbed((url) =>
      url.searchParams.get('page') === '2'
        ? json(
            200,
            page([
              entry('b', '-10.00', {
                creditorName: 'KPN B.V.',
                creditorAccount: { iban: 'nl18 abna 0484 8695 68' },
                remittanceInformationStructured: { reference: '1234567890123456' },
                proprietaryBankTransactionCode: 'DD',
              }),
            ]),
          )
        : json(
            200,
            page(
              [
                entry('a', '25.50', {
                  debtorName: 'Klant BV',
                  remittanceInformationUnstructuredArray: ['Factuur 2025-001', 'dank u'],
                }),
              ],
              '/v1/accounts/r1/transactions?page=2',
            ),
          ),
    );
    const pages = await allPages(
      connector.transactions(session, 'r1', { dateFrom: '2025-06-01', bookingStatus: 'booked' }),
    );
    expect(urls).toEqual([
      'https://api.bank.test/psd2/v1/accounts/r1/transactions?bookingStatus=booked&dateFrom=2025-06-01',
      'https://api.bank.test/psd2/v1/accounts/r1/transactions?page=2',
    ]);
    expect(pages.flatMap((p) => p.booked)).toEqual([
      expect.objectContaining({
        amountCents: 2550,
        counterpartyName: 'Klant BV',
        counterpartyIban: null,
        description: 'Factuur 2025-001 dank u',
        bankTransactionCode: null,
      }),
      expect.objectContaining({
        amountCents: -1000,
        counterpartyName: 'KPN B.V.',
        counterpartyIban: 'NL18ABNA0484869568',
        description: '1234567890123456',
        bankTransactionCode: 'DD',
      }),
    ]);
  });

  it('refuses to send the token to a next link on another host', async () => {
    const { connector, urls } = stubbed(() =>
      json(200, page([entry('a', '1.00')], 'https://elsewhere.test/v1/accounts/r1/transactions?page=2')),
    );
    const pages = connector.transactions(session, 'r1', { dateFrom: '2025-06-01', bookingStatus: 'booked' });
    await expect(allPages(pages)).rejects.toThrow(
      new BankRequestError(
        'the bank links to a page on https://elsewhere.test; the access token is only sent to https://api.bank.test',
        { bankCode: 'RABO' },
      ),
    );
    expect(urls).toHaveLength(1);
  });

  it('stops when the bank links back to a page it already sent', async () => {
    const { connector, urls } = stubbed(() =>
      json(200, page([entry('a', '1.00')], '/v1/accounts/r1/transactions?page=1')),
    );
    await expect(
      allPages(connector.transactions(session, 'r1', { dateFrom: '2025-06-01', bookingStatus: 'booked' })),
    ).rejects.toBeInstanceOf(BankRequestError);
    expect(urls).toHaveLength(2);
  });

  it('refuses an amount that is not whole cents rather than round it', async () => {
    const { connector } = stubbed(() => json(200, page([entry('a', '1.005')])));
    await expect(
      allPages(connector.transactions(session, 'r1', { dateFrom: '2025-06-01', bookingStatus: 'booked' })),
    ).rejects.toMatchObject({
      type: 'BankRequestError',
      message: 'RABO: the bank sent amount "1.005", which is not a whole number of cents',
    });
  });

  it('reads Retry-After as an HTTP date', async () => {
    const { connector } = stubbed(() =>
      json(
        429,
        { tppMessages: [{ category: 'ERROR', code: 'ACCESS_EXCEEDED' }] },
        { 'Retry-After': 'Wed, 11 Jun 2025 08:01:30 GMT' },
      ),
    );
    await expect(connector.listAccounts(session)).rejects.toMatchObject({
      type: 'RateLimitedError',
      retryAfterSeconds: 90,
    });
  });

  it('gives retryAfterSeconds null when the bank does not say', async () => {
    const { connector } = stubbed(() => json(429, {}));
    await expect(connector.listAccounts(session)).rejects.toMatchObject({
      type: 'RateLimitedError',
      retryAfterSeconds: null,
      code: null,
    });
  });

  it('redacts a token the bank echoes in its error text', async () => {
    const { connector } = stubbed(() =>
      json(401, {
        tppMessages: [{ category: 'ERROR', code: 'TOKEN_UNKNOWN', text: `token ${session.accessToken} unknown` }],
      }),
    );
    const error = await connector.listAccounts(session).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenExpiredError);
    expect((error as Error).message).toBe(
      'RABO: the access token was not accepted (HTTP 401 TOKEN_UNKNOWN: token [redacted] unknown)',
    );
  });

  it.each([
    [401, {}, TokenExpiredError, null],
    [403, { tppMessages: [{ category: 'ERROR', code: 'CONSENT_UNKNOWN' }] }, ConsentInvalidError, 'CONSENT_UNKNOWN'],
    [
      401,
      { type: 'https://berlin-group.org/problems/CONSENT_EXPIRED', code: 'CONSENT_EXPIRED', detail: 'expired' },
      ConsentInvalidError,
      'CONSENT_EXPIRED',
    ],
    [
      401,
      { tppMessages: [{ category: 'ERROR', code: 'CERTIFICATE_INVALID' }] },
      BankRequestError,
      'CERTIFICATE_INVALID',
    ],
    [
      400,
      { tppMessages: [{ category: 'ERROR', code: 'FORMAT_ERROR', text: 'dateFrom' }] },
      BankRequestError,
      'FORMAT_ERROR',
    ],
    [503, 'not json', BankUnavailableError, null],
  ])('reads HTTP %i %j as %p', async (status, body, type, code) => {
    const { connector } = stubbed(() =>
      typeof body === 'string' ? new Response(body, { status }) : json(status, body),
    );
    const error = await connector.listAccounts(session).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ status, code });
  });
});

// ---- Which bank lives where ----

describe('bank registry', () => {
  it('reads production endpoints from BANK_<CODE>_* and leaves unconfigured banks out', () => {
    expect(
      bankEndpointsFromEnv({
        BANK_INGB_URL: 'https://api.ing.example/psd2',
        BANK_INGB_CLIENT_ID: 'ing-client',
        BANK_INGB_CLIENT_SECRET: 's3cret',
        BANK_RABO_URL: 'https://api.rabo.example',
        BANK_RABO_CLIENT_ID: 'rabo-client',
        BANK_RABO_OAUTH_METADATA_URL: 'https://oauth.rabo.example/.well-known/oauth-authorization-server',
      }),
    ).toEqual({
      INGB: { baseUrl: 'https://api.ing.example/psd2', clientId: 'ing-client', clientSecret: 's3cret' },
      RABO: {
        baseUrl: 'https://api.rabo.example',
        clientId: 'rabo-client',
        oauthMetadataUrl: 'https://oauth.rabo.example/.well-known/oauth-authorization-server',
      },
    });
  });

  it('refuses a bank URL without a client id, and plain http to another machine', () => {
    expect(() => bankEndpointsFromEnv({ BANK_ABNA_URL: 'https://api.abn.example' })).toThrow(
      new BankConfigError('BANK_ABNA_URL is set, so BANK_ABNA_CLIENT_ID must be set too'),
    );
    expect(() => bankEndpointsFromEnv({ BANK_ABNA_URL: 'http://api.abn.example', BANK_ABNA_CLIENT_ID: 'c' })).toThrow(
      new BankConfigError('BANK_ABNA_URL must be an https URL, got "http://api.abn.example"'),
    );
  });

  it('says which variables to set for a bank without endpoints', () => {
    expect(() => createConnectorFor('ABNA', { endpoints: {} })).toThrow(
      new BankConfigError('Bank ABNA is not configured: set BANK_ABNA_URL and BANK_ABNA_CLIENT_ID'),
    );
  });

  it('authenticates a confidential client with HTTP Basic at the token endpoint', async () => {
    const seen: Headers[] = [];
    const recording: typeof fetch = (input, init) => {
      if (String(input).endsWith('/oauth/token')) seen.push(new Headers(init?.headers));
      return fetch(input, init);
    };
    const connector = createConnectorFor(
      'ABNA',
      { endpoints: { ABNA: { baseUrl: `${bank.url}/ABNA`, clientId: SANDBOX_CLIENT_ID, clientSecret: 'a secret:1' } } },
      { fetch: recording },
    );
    const { unattended } = await connect(connector, 'abn-owner');
    await expect(connector.listAccounts(unattended)).resolves.toHaveLength(2);
    expect(seen[0]?.get('Authorization')).toBe(`Basic ${Buffer.from('bankkoppeling:a+secret%3A1').toString('base64')}`);
  });
});
