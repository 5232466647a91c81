import { randomUUID } from 'node:crypto';
import { CONSENT_STATUSES, type ConsentStatus } from '../../domain/consent';
import { normaliseIban } from '../../domain/iban';
import type {
  AuthorizationUrlInput,
  BankAccountInfo,
  BankBalance,
  BankConnector,
  BankConsent,
  BankSession,
  BankTokens,
  BankTransaction,
  CreateConsentInput,
  CreatedConsent,
  ExchangeCodeInput,
  TransactionPage,
  TransactionQuery,
} from '../connector';
import { BankRequestError, ConsentInvalidError } from '../errors';
import { amountCentsOf } from './amounts';
import { statusError, tokenError, xs2aError } from './errors';
import { createSend, type HttpOptions, type HttpAnswer, type Method } from './http';
import {
  accountsSchema,
  balancesSchema,
  consentSchema,
  createdConsentSchema,
  type GrantedTokens,
  metadataSchema,
  type OAuthMetadata,
  parseAnswer,
  type RawTransaction,
  reportSchema,
  type StructuredRemittance,
  tokenSchema,
} from './schemas';

export { parseAmountCents } from './amounts';
export type { BankLog } from './http';

/**
 * A client for banks that speak Berlin Group NextGenPSD2 XS2A AIS v1.3 with the OAuth SCA approach: the consent is
 * created over the API, the client authorises it at the bank through an OAuth2 authorization code flow with PKCE
 * S256 and `scope=AIS:<consentId>`, and the tokens that flow yields read the consented accounts.
 *
 * Not here: eIDAS client certificates (QWAC mutual TLS) and request signing, which production banks require at the
 * transport level; `fetch` can be handed a dispatcher that carries them.
 */
export interface BerlinGroupConnectorOptions extends HttpOptions {
  /** Root of the bank's XS2A API, without `/v1`: `https://api.bank.example/psd2`, or the sandbox's `<url>/INGB`. */
  baseUrl: string;
  clientId: string;
  /** Confidential clients authenticate at the token endpoint with HTTP Basic (RFC 6749 §2.3.1). */
  clientSecret?: string;
  /**
   * The RFC 8414 metadata naming the authorization and token endpoints. Defaults to
   * `<baseUrl>/.well-known/oauth-authorization-server`, where a consent's `_links.scaOAuth` points.
   */
  oauthMetadataUrl?: string;
  now?: () => Date;
}

/** RFC 6749 makes expires_in optional; assume a short life, so callers refresh early instead of meeting TOKEN_INVALID. */
const ASSUMED_TOKEN_LIFETIME_SECONDS = 300;

interface Xs2aExtras {
  session?: BankSession | undefined;
  body?: unknown;
  /** The client's address where there is no session yet (creating the consent on their behalf). */
  psuIpAddress?: string | undefined;
}

export function createBerlinGroupConnector(options: BerlinGroupConnectorOptions): BankConnector {
  const { bankCode, clientId, clientSecret } = options;
  const now = options.now ?? (() => new Date());
  const base = new URL(options.baseUrl.replace(/\/*$/, '/'));
  const metadataUrl = new URL(options.oauthMetadataUrl ?? new URL('.well-known/oauth-authorization-server', base));
  let metadata: Promise<OAuthMetadata> | undefined;
  const send = createSend(options);

  const apiUrl = (path: string, query?: Record<string, string>): URL => {
    const url = new URL(path, base);
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
    return url;
  };

  /**
   * An XS2A call: a fresh X-Request-ID each time, JSON both ways, and the session's consent and token. Without
   * `PSU-IP-Address` the bank takes the call as unattended and counts it against the consent's frequencyPerDay.
   */
  async function xs2a(method: Method, url: URL, { session, body, psuIpAddress }: Xs2aExtras = {}): Promise<HttpAnswer> {
    const headers: Record<string, string> = { 'X-Request-ID': randomUUID(), Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (session) {
      headers['Consent-ID'] = session.consentId;
      headers.Authorization = `Bearer ${session.accessToken}`;
    }
    const ip = session && !session.unattended ? session.psuIpAddress : psuIpAddress;
    if (ip) headers['PSU-IP-Address'] = ip;
    const answer = await send({ method, url, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (answer.status < 200 || answer.status >= 300)
      throw xs2aError(bankCode, answer, session ? [session.accessToken] : [], now());
    return answer;
  }

  async function loadMetadata(): Promise<OAuthMetadata> {
    const answer = await send({ method: 'GET', url: metadataUrl, headers: { Accept: 'application/json' } });
    if (answer.status !== 200) throw statusError(bankCode, answer.status, 'the OAuth metadata could not be read');
    const found = parseAnswer(bankCode, metadataSchema, answer.json, 'OAuth metadata');
    if (found.code_challenge_methods_supported && !found.code_challenge_methods_supported.includes('S256')) {
      throw new BankRequestError('the bank does not offer PKCE S256', { bankCode });
    }
    return found;
  }

  function oauthMetadata(): Promise<OAuthMetadata> {
    metadata ??= loadMetadata().catch((error: unknown) => {
      metadata = undefined;
      throw error;
    });
    return metadata;
  }

  /** `secrets`: what the grant carries, kept out of error messages even when the bank echoes it. */
  async function tokenRequest(grant: Record<string, string>, secrets: readonly string[]): Promise<GrantedTokens> {
    const { token_endpoint } = await oauthMetadata();
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    const form = new URLSearchParams(grant);
    if (clientSecret === undefined) form.set('client_id', clientId);
    else
      headers.Authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
    const answer = await send({ method: 'POST', url: new URL(token_endpoint), headers, body: form.toString() });
    if (answer.status !== 200)
      throw tokenError(bankCode, answer, [...secrets, ...(clientSecret ? [clientSecret] : [])], now());
    return parseAnswer(bankCode, tokenSchema, answer.json, 'token request');
  }

  function tokensFrom(granted: GrantedTokens, refreshToken: string): BankTokens {
    const lifetime = granted.expires_in ?? ASSUMED_TOKEN_LIFETIME_SECONDS;
    return {
      accessToken: granted.access_token,
      refreshToken,
      expiresAt: new Date(now().getTime() + lifetime * 1000),
      scope: granted.scope ?? null,
    };
  }

  async function* transactionPages(
    session: BankSession,
    resourceId: string,
    query: TransactionQuery,
  ): AsyncGenerator<TransactionPage> {
    let url: URL | null = apiUrl(`v1/accounts/${encodeURIComponent(resourceId)}/transactions`, {
      bookingStatus: query.bookingStatus,
      dateFrom: query.dateFrom,
    });
    const seen = new Set<string>();
    while (url) {
      seen.add(url.href);
      const answer = await xs2a('GET', url, { session });
      const report = parseAnswer(bankCode, reportSchema, answer.json, 'transactions');
      yield {
        booked: (report.transactions.booked ?? []).map((t) => toTransaction(bankCode, t, true)),
        pending: (report.transactions.pending ?? []).map((t) => toTransaction(bankCode, t, false)),
      };
      const next = report.transactions._links?.next?.href ?? report._links?.next?.href;
      url = next ? followLink(bankCode, base, next) : null;
      if (url && seen.has(url.href))
        throw new BankRequestError('the bank links to a transactions page it already sent', { bankCode });
    }
  }

  return {
    bankCode,

    async createConsent(input: CreateConsentInput): Promise<CreatedConsent> {
      // Empty lists ask for a bank-offered consent: the client picks the accounts at the bank.
      const references = (input.ibans ?? []).map((iban) => ({ iban: normaliseIban(iban) }));
      const body = {
        access: { accounts: references, balances: references, transactions: references },
        recurringIndicator: input.recurringIndicator,
        validUntil: input.validUntil,
        frequencyPerDay: input.frequencyPerDay,
        combinedServiceIndicator: false,
      };
      const answer = await xs2a('POST', apiUrl('v1/consents'), { body, psuIpAddress: input.psuIpAddress });
      const created = parseAnswer(bankCode, createdConsentSchema, answer.json, 'consent creation');
      return { consentId: created.consentId, consentStatus: consentStatus(bankCode, created.consentStatus) };
    },

    async authorizationUrl(input: AuthorizationUrlInput): Promise<string> {
      const url = new URL((await oauthMetadata()).authorization_endpoint);
      const params = {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: input.redirectUri,
        scope: `AIS:${input.consentId}`,
        state: input.state,
        code_challenge: input.codeChallenge,
        code_challenge_method: 'S256',
      };
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return url.toString();
    },

    async exchangeCode(input: ExchangeCodeInput): Promise<BankTokens> {
      const granted = await tokenRequest(
        {
          grant_type: 'authorization_code',
          code: input.code,
          redirect_uri: input.redirectUri,
          code_verifier: input.codeVerifier,
        },
        [input.code, input.codeVerifier],
      );
      if (!granted.refresh_token) {
        throw new BankRequestError('the bank granted no refresh token, so scheduled fetches could not go on', {
          bankCode,
        });
      }
      return tokensFrom(granted, granted.refresh_token);
    },

    async refreshTokens(refreshToken: string): Promise<BankTokens> {
      const granted = await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, [refreshToken]);
      // RFC 6749 §6: without a new refresh token in the answer, the old one stays valid.
      return tokensFrom(granted, granted.refresh_token ?? refreshToken);
    },

    async getConsent(consentId: string, session?: BankSession): Promise<BankConsent> {
      const answer = await xs2a('GET', apiUrl(`v1/consents/${encodeURIComponent(consentId)}`), { session });
      const consent = parseAnswer(bankCode, consentSchema, answer.json, 'consent');
      const references = [
        ...(consent.access?.accounts ?? []),
        ...(consent.access?.balances ?? []),
        ...(consent.access?.transactions ?? []),
      ];
      return {
        consentId,
        status: consentStatus(bankCode, consent.consentStatus),
        validUntil: consent.validUntil,
        frequencyPerDay: consent.frequencyPerDay,
        recurringIndicator: consent.recurringIndicator,
        accounts: [...new Set(references.flatMap((r) => (r.iban ? [normaliseIban(r.iban)] : [])))],
      };
    },

    async deleteConsent(consentId: string, session?: BankSession): Promise<void> {
      try {
        await xs2a('DELETE', apiUrl(`v1/consents/${encodeURIComponent(consentId)}`), { session });
      } catch (error) {
        // Revoked, expired or forgotten: either way the consent grants nothing any more, which is what we wanted.
        if (!(error instanceof ConsentInvalidError)) throw error;
      }
    },

    async listAccounts(session: BankSession): Promise<BankAccountInfo[]> {
      const answer = await xs2a('GET', apiUrl('v1/accounts'), { session });
      const { accounts } = parseAnswer(bankCode, accountsSchema, answer.json, 'accounts');
      return accounts.flatMap((account) => {
        // Callers match accounts by IBAN; one without (a card account) cannot be matched, so it is not offered.
        if (!account.iban) {
          options.log?.warn(
            { bank: bankCode, resourceId: account.resourceId },
            'consented account without IBAN left out',
          );
          return [];
        }
        return [
          {
            resourceId: account.resourceId,
            iban: normaliseIban(account.iban),
            currency: account.currency,
            name: account.name ?? null,
            product: account.product ?? null,
            cashAccountType: account.cashAccountType ?? null,
          },
        ];
      });
    },

    async balances(session: BankSession, resourceId: string): Promise<BankBalance[]> {
      const answer = await xs2a('GET', apiUrl(`v1/accounts/${encodeURIComponent(resourceId)}/balances`), { session });
      const { balances } = parseAnswer(bankCode, balancesSchema, answer.json, 'balances');
      return balances.map((b) => ({
        balanceType: b.balanceType,
        amountCents: amountCentsOf(bankCode, b.balanceAmount.amount),
        currency: b.balanceAmount.currency,
        referenceDate: b.referenceDate ?? null,
      }));
    },

    transactions(session: BankSession, resourceId: string, query: TransactionQuery): AsyncIterable<TransactionPage> {
      return transactionPages(session, resourceId, query);
    },
  };
}

function toTransaction(bankCode: string, raw: RawTransaction, booked: boolean): BankTransaction {
  const amountCents = amountCentsOf(bankCode, raw.transactionAmount.amount);
  // Money in comes from the debtor, money out goes to the creditor; the other side is the account holder itself.
  const incoming = amountCents >= 0;
  const counterpartyAccount = incoming ? raw.debtorAccount : raw.creditorAccount;
  return {
    transactionId: raw.transactionId ?? null,
    entryReference: raw.entryReference ?? null,
    bookingDate: raw.bookingDate ?? null,
    valueDate: raw.valueDate ?? null,
    amountCents,
    currency: raw.transactionAmount.currency,
    counterpartyIban: counterpartyAccount?.iban ? normaliseIban(counterpartyAccount.iban) : null,
    counterpartyName: (incoming ? raw.debtorName : raw.creditorName) ?? null,
    description: descriptionOf(raw),
    endToEndId: raw.endToEndId ?? null,
    bankTransactionCode: raw.bankTransactionCode ?? raw.proprietaryBankTransactionCode ?? null,
    booked,
  };
}

function descriptionOf(raw: RawTransaction): string {
  const reference = (r: StructuredRemittance): string => (typeof r === 'string' ? r : r.reference);
  const candidates = [
    raw.remittanceInformationUnstructured,
    raw.remittanceInformationUnstructuredArray?.join(' '),
    raw.remittanceInformationStructured ? reference(raw.remittanceInformationStructured) : null,
    raw.remittanceInformationStructuredArray?.map(reference).join(' '),
  ];
  return candidates.map((c) => c?.trim()).find((c) => c) ?? '';
}

function consentStatus(bankCode: string, status: string): ConsentStatus {
  if ((CONSENT_STATUSES as readonly string[]).includes(status)) return status as ConsentStatus;
  // Multi-level SCA: some signers have authorised, others have not yet; to us it is not valid yet.
  if (status === 'partiallyAuthorised') return 'received';
  throw new BankRequestError(`the bank sent consent status "${status}", which this client does not know`, { bankCode });
}

/**
 * Berlin Group writes links as paths from the API root (`/v1/accounts/...`). Where a bank serves its API below a
 * path, such a link is taken below that path too. A link to another origin is refused: it would get our token.
 */
function followLink(bankCode: string, base: URL, link: string): URL {
  const prefix = base.pathname.replace(/\/+$/, '');
  const belowRoot = link.startsWith('/') && !link.startsWith('//') && prefix !== '' && !link.startsWith(`${prefix}/`);
  const url = new URL(belowRoot ? `${prefix}${link}` : link, base);
  if (url.origin !== base.origin) {
    throw new BankRequestError(
      `the bank links to a page on ${url.origin}; the access token is only sent to ${base.origin}`,
      { bankCode },
    );
  }
  return url;
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before they go into the Basic credentials. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
