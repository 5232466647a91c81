import type { MikroORM } from '@mikro-orm/postgresql';
import type { BankConnector, BankTokens } from '../../banks/connector';
import { SANDBOX_CLIENT_ID } from '../../banks/registry';
import { BankAccount, ConnectedAccount, Connection, Consent } from '../../db/entities';
import type { TokenCipher } from '../../db/token-cipher';
import { addDays, amsterdamDate } from '../../domain/amsterdam-time';
import { createOAuthState, createPkcePair } from '../../domain/pkce';
import type { SandboxBankAdmin } from '../../sandbox/bank';
import { hiddenField, postForm } from './visitor';

export const TEST_REDIRECT_URI = 'http://localhost:3000/connect/callback';

/**
 * Test-only shortcut (issue 5 allows it until onboarding exists): walks the sandbox bank's consent pages the way
 * a browser would, so the consent and tokens are real, and returns them.
 */
export async function consentAtSandbox(options: {
  connector: BankConnector;
  admin: SandboxBankAdmin;
  username: string;
  ibans: string[];
  /** PSD2 allows 4 unattended accesses a day; a bank agreement may allow more (R-V5). */
  frequencyPerDay?: number;
}): Promise<{ consentId: string; tokens: BankTokens }> {
  options.admin.registerClient({ clientId: SANDBOX_CLIENT_ID, redirectUris: [TEST_REDIRECT_URI] });
  const { consentId } = await options.connector.createConsent({
    validUntil: addDays(amsterdamDate(new Date()), 90),
    frequencyPerDay: options.frequencyPerDay ?? 4,
    recurringIndicator: true,
  });
  const pkce = createPkcePair();
  const state = createOAuthState();
  const authorize = await options.connector.authorizationUrl({
    consentId,
    state,
    codeChallenge: pkce.challenge,
    redirectUri: TEST_REDIRECT_URI,
  });
  const location = await consentAtBank(authorize, options.username, options.ibans);
  if (location.searchParams.get('state') !== state) throw new Error(`state mismatch: ${location.toString()}`);
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in redirect: ${location.toString()}`);
  const tokens = await options.connector.exchangeCode({
    code,
    codeVerifier: pkce.verifier,
    redirectUri: TEST_REDIRECT_URI,
  });
  return { consentId, tokens };
}

/**
 * The client at the sandbox bank: log in, tick the accounts, sign; answers where the bank sends the browser back to
 * (straight after the login when the bank refuses the user).
 */
export async function consentAtBank(authorize: string | URL, username: string, ibans: string[]): Promise<URL> {
  const loginPage = await (await fetch(authorize)).text();
  // The bank's forms post to relative actions, which a browser resolves against the page's address.
  const loginUrl = new URL('login', authorize);
  const afterLogin = await postForm(loginUrl, {
    flow: hiddenField(loginPage, 'flow'),
    username,
    password: 'sandbox',
    action: 'login',
  });
  if (afterLogin.status === 303) return redirectOf(afterLogin);
  const signed = await postForm(new URL('sign', loginUrl), {
    flow: hiddenField(await afterLogin.text(), 'flow'),
    action: 'sign',
    accounts: ibans,
  });
  if (signed.status !== 303) throw new Error(`the bank answered the signature with ${signed.status}`);
  return redirectOf(signed);
}

function redirectOf(response: Response): URL {
  return new URL(response.headers.get('location') ?? '', TEST_REDIRECT_URI);
}

/** Stores a consent, a connection and its accounts as profile sync (onboarding) will, for tests only. */
export async function storeConnection(
  orm: MikroORM,
  cipher: TokenCipher,
  input: {
    organizationId: string;
    environmentId: string;
    bankCode: string;
    consentId: string;
    tokens: BankTokens;
    accounts: { bankAccountId: string; iban: string }[];
    switchOverDate: string;
    staffEmail?: string;
    accountManagerEmail?: string;
    /** As the bank granted it on the consent (consentAtSandbox's frequencyPerDay): our allowance counts against it. */
    frequencyPerDay?: number;
  },
): Promise<{ connectionId: string; connectedAccountIds: string[] }> {
  const em = orm.em.fork();
  const consent = em.create(Consent, {
    organization: input.organizationId,
    bankCode: input.bankCode,
    bankConsentId: input.consentId,
    status: 'valid',
    validUntil: addDays(amsterdamDate(new Date()), 90),
    frequencyPerDay: input.frequencyPerDay ?? 4,
    accessTokenEncrypted: cipher.encrypt(input.tokens.accessToken),
    refreshTokenEncrypted: cipher.encrypt(input.tokens.refreshToken),
    tokenExpiresAt: input.tokens.expiresAt,
  });
  const connection = em.create(Connection, {
    organization: input.organizationId,
    communicationEnvironment: input.environmentId,
    clientCompany: null,
    bankCode: input.bankCode,
    bankAgreement: `test-${input.consentId}`,
    consent,
    state: 'active',
    syncProfileBlocked: false,
    fetchesPerDay: 4,
    stateReason: null,
    accountManagerName: 'Anna Accountmanager',
    accountManagerEmail: input.accountManagerEmail ?? null,
    lastFetchAt: null,
  });
  const connected = input.accounts.map((account) =>
    em.create(ConnectedAccount, {
      organization: input.organizationId,
      connection,
      bankAccount: account.bankAccountId,
      environment: input.environmentId,
      iban: account.iban,
      currency: 'EUR',
      switchOverDate: input.switchOverDate,
      lastFetchResult: null,
      firstTransactionAt: null,
      lastFetchAt: null,
    }),
  );
  await em.flush();
  return { connectionId: connection.id, connectedAccountIds: connected.map((c) => c.id) };
}

export async function createBankAccount(
  orm: MikroORM,
  input: { organizationId: string; environmentId: string; journalId: string; iban: string },
): Promise<string> {
  const em = orm.em.fork();
  const account = em.create(BankAccount, {
    organization: input.organizationId,
    environment: input.environmentId,
    journal: input.journalId,
    name: `Rekening ${input.iban}`,
    type: 'current',
    iban: input.iban,
    currency: 'EUR',
    ledgerAccount: '1100',
    lastCheck: null,
  });
  await em.flush();
  return account.id;
}
