import { randomUUID } from 'node:crypto';
import { z } from 'zod';
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
} from './connector';
import {
  type BankError,
  type BankErrorDetails,
  BankRequestError,
  BankUnavailableError,
  ConsentInvalidError,
  RateLimitedError,
  TokenExpiredError,
} from './errors';

/**
 * A client for banks that speak Berlin Group NextGenPSD2 XS2A AIS v1.3 with the OAuth SCA approach: the consent is
 * created over the API, the client authorises it at the bank through an OAuth2 authorization code flow with PKCE
 * S256 and `scope=AIS:<consentId>`, and the tokens that flow yields read the consented accounts.
 *
 * Not here: eIDAS client certificates (QWAC mutual TLS) and request signing, which production banks require at the
 * transport level; `fetch` can be handed a dispatcher that carries them.
 */

/** The subset of a pino logger this client uses; it logs ids, paths, statuses and timings, never a header. */
export interface BankLog {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface BerlinGroupConnectorOptions {
  bankCode: string;
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
  fetch?: typeof fetch;
  /** One deadline per HTTP request, covering connect, headers and body. */
  timeoutMs?: number;
  log?: BankLog;
  now?: () => Date;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** RFC 6749 makes expires_in optional; assume a short life, so callers refresh early instead of meeting TOKEN_INVALID. */
const ASSUMED_TOKEN_LIFETIME_SECONDS = 300;

const CONSENT_CODES = new Set(['CONSENT_INVALID', 'CONSENT_EXPIRED', 'CONSENT_UNKNOWN']);
const TOKEN_CODES = new Set(['TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_UNKNOWN']);

type Method = 'GET' | 'POST' | 'DELETE';

interface HttpCall {
  method: Method;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

interface Xs2aExtras {
  session?: BankSession | undefined;
  body?: unknown;
  /** The client's address where there is no session yet (creating the consent on their behalf). */
  psuIpAddress?: string | undefined;
}

interface HttpAnswer {
  status: number;
  headers: Headers;
  json: unknown;
}

// ---- Answer shapes: strict where we rely on a field, tolerant of the extras and nulls banks add. ----

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const amountSchema = z.object({ currency: z.string().min(3), amount: z.string() });
const accountReference = z.object({ iban: z.string().nullish() });
const href = z.object({ href: z.string() });
const structuredRemittance = z.union([z.string(), z.object({ reference: z.string() })]);

const createdConsentSchema = z.object({ consentId: z.string().min(1), consentStatus: z.string() });

const consentSchema = z.object({
  consentStatus: z.string(),
  validUntil: isoDate,
  frequencyPerDay: z.number().int(),
  recurringIndicator: z.boolean(),
  access: z
    .object({
      accounts: z.array(accountReference).nullish(),
      balances: z.array(accountReference).nullish(),
      transactions: z.array(accountReference).nullish(),
    })
    .nullish(),
});

const accountsSchema = z.object({
  accounts: z.array(
    z.object({
      resourceId: z.string().min(1),
      iban: z.string().nullish(),
      currency: z.string(),
      name: z.string().nullish(),
      product: z.string().nullish(),
      cashAccountType: z.string().nullish(),
    }),
  ),
});

const balancesSchema = z.object({
  balances: z.array(
    z.object({ balanceType: z.string(), balanceAmount: amountSchema, referenceDate: isoDate.nullish() }),
  ),
});

const transactionSchema = z.object({
  transactionId: z.string().nullish(),
  entryReference: z.string().nullish(),
  endToEndId: z.string().nullish(),
  bookingDate: isoDate.nullish(),
  valueDate: isoDate.nullish(),
  transactionAmount: amountSchema,
  creditorName: z.string().nullish(),
  creditorAccount: accountReference.nullish(),
  debtorName: z.string().nullish(),
  debtorAccount: accountReference.nullish(),
  remittanceInformationUnstructured: z.string().nullish(),
  remittanceInformationUnstructuredArray: z.array(z.string()).nullish(),
  // A string from v1.3.6 on, an object with `reference` before; some banks send an array of either.
  remittanceInformationStructured: structuredRemittance.nullish(),
  remittanceInformationStructuredArray: z.array(structuredRemittance).nullish(),
  bankTransactionCode: z.string().nullish(),
  proprietaryBankTransactionCode: z.string().nullish(),
});
type RawTransaction = z.infer<typeof transactionSchema>;

const reportSchema = z.object({
  transactions: z.object({
    booked: z.array(transactionSchema).nullish(),
    pending: z.array(transactionSchema).nullish(),
    _links: z.object({ next: href.nullish() }).nullish(),
  }),
  _links: z.object({ next: href.nullish() }).nullish(),
});

const metadataSchema = z.object({
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
});
type OAuthMetadata = z.infer<typeof metadataSchema>;

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, 'Bearer'),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
  refresh_token: z.string().min(1).nullish(),
  scope: z.string().nullish(),
});

const tppMessagesSchema = z.object({
  tppMessages: z.array(z.object({ code: z.string(), text: z.string().nullish() })).nullish(),
  // The RFC 7807 flavour of Berlin Group errors ("Error_NG").
  code: z.string().nullish(),
  detail: z.string().nullish(),
  additionalErrors: z.array(z.object({ code: z.string(), detail: z.string().nullish() })).nullish(),
});

const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().nullish() });

export function createBerlinGroupConnector(options: BerlinGroupConnectorOptions): BankConnector {
  const { bankCode, clientId, clientSecret } = options;
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());
  const base = new URL(options.baseUrl.replace(/\/*$/, '/'));
  const metadataUrl = new URL(options.oauthMetadataUrl ?? new URL('.well-known/oauth-authorization-server', base));
  let metadata: Promise<OAuthMetadata> | undefined;

  const apiUrl = (path: string, query?: Record<string, string>): URL => {
    const url = new URL(path, base);
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
    return url;
  };

  async function send(call: HttpCall): Promise<HttpAnswer> {
    const started = performance.now();
    const fields = {
      bank: bankCode,
      method: call.method,
      path: call.url.pathname,
      requestId: call.headers['X-Request-ID'],
    };
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      // Bank APIs do not redirect; following one could carry the bearer token to a host we never chose.
      const response = await fetchImpl(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        signal,
        redirect: 'manual',
      });
      const text = await response.text();
      options.log?.debug(
        { ...fields, status: response.status, ms: Math.round(performance.now() - started) },
        'bank answered',
      );
      return { status: response.status, headers: response.headers, json: parseJson(text) };
    } catch (error) {
      const timedOut = signal.aborted;
      options.log?.warn({ ...fields, ms: Math.round(performance.now() - started), timedOut }, 'bank did not answer');
      const summary = timedOut
        ? `no answer within ${timeoutMs} ms`
        : `could not reach the bank: ${networkReason(error)}`;
      throw new BankUnavailableError(summary, { bankCode, cause: error });
    }
  }

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
  async function tokenRequest(
    grant: Record<string, string>,
    secrets: readonly string[],
  ): Promise<z.infer<typeof tokenSchema>> {
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

  function tokensFrom(granted: z.infer<typeof tokenSchema>, refreshToken: string): BankTokens {
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

/**
 * Berlin Group amounts are decimal strings (`-?[0-9]{1,14}(\.[0-9]{1,3})?`). Read as text, never as a float, so
 * "0.29" is 29 cents and not 28.999...; null when the amount is not a whole number of cents.
 */
export function parseAmountCents(amount: string): number | null {
  const match = /^(-)?(\d{1,14})(?:\.(\d{1,3}))?$/.exec(amount.trim());
  if (!match) return null;
  const [, minus, whole = '', fraction = ''] = match;
  if (fraction.length === 3 && !fraction.endsWith('0')) return null;
  const cents = Number(whole) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return null;
  return minus && cents !== 0 ? -cents : cents;
}

function amountCentsOf(bankCode: string, amount: string): number {
  const cents = parseAmountCents(amount);
  if (cents === null)
    throw new BankRequestError(`the bank sent amount "${amount}", which is not a whole number of cents`, { bankCode });
  return cents;
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
  const reference = (r: z.infer<typeof structuredRemittance>): string => (typeof r === 'string' ? r : r.reference);
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

function parseAnswer<T>(bankCode: string, schema: z.ZodType<T>, json: unknown, what: string): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new BankRequestError(`unexpected answer to the ${what} request: ${z.prettifyError(parsed.error)}`, {
      bankCode,
    });
  }
  return parsed.data;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface BankMessage {
  code: string | null;
  text: string | null;
}

function bankMessages(json: unknown): BankMessage[] {
  const parsed = tppMessagesSchema.safeParse(json);
  if (!parsed.success) return [];
  const { tppMessages, code, detail, additionalErrors } = parsed.data;
  return [
    ...(tppMessages ?? []).map((m) => ({ code: m.code, text: m.text ?? null })),
    ...(code ? [{ code, text: detail ?? null }] : []),
    ...(additionalErrors ?? []).map((m) => ({ code: m.code, text: m.detail ?? null })),
  ];
}

function redact(text: string | null, secrets: readonly string[]): string | null {
  if (text === null) return null;
  return secrets.filter((s) => s.length > 0).reduce((out, secret) => out.replaceAll(secret, '[redacted]'), text);
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterSeconds(headers: Headers, now: Date): number | null {
  const value = headers.get('Retry-After')?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function xs2aError(bankCode: string, answer: HttpAnswer, secrets: readonly string[], now: Date): BankError {
  const messages = bankMessages(answer.json);
  const pick = (codes?: ReadonlySet<string>): BankErrorDetails => {
    const message = (codes ? messages.find((m) => m.code !== null && codes.has(m.code)) : undefined) ?? messages[0];
    return {
      bankCode,
      status: answer.status,
      code: message?.code ?? null,
      text: redact(message?.text ?? null, secrets),
    };
  };
  if (answer.status === 429) {
    return new RateLimitedError('the bank allows no more calls for now', {
      ...pick(),
      retryAfterSeconds: retryAfterSeconds(answer.headers, now),
    });
  }
  if (answer.status >= 500 || answer.status === 408)
    return new BankUnavailableError('the bank could not answer', pick());
  // A dead consent outranks a dead token: refreshing would not help, the client has to consent again.
  if (messages.some((m) => m.code !== null && CONSENT_CODES.has(m.code))) {
    return new ConsentInvalidError('the consent no longer grants access', pick(CONSENT_CODES));
  }
  if (
    messages.some((m) => m.code !== null && TOKEN_CODES.has(m.code)) ||
    (answer.status === 401 && messages.length === 0)
  ) {
    return new TokenExpiredError('the access token was not accepted', pick(TOKEN_CODES));
  }
  return new BankRequestError('the bank refused the request', pick());
}

/** Errors of the token endpoint are RFC 6749 §5.2 JSON (`error`, `error_description`), not tppMessages. */
function tokenError(bankCode: string, answer: HttpAnswer, secrets: readonly string[], now: Date): BankError {
  if (answer.status === 429 || answer.status >= 500 || answer.status === 408)
    return xs2aError(bankCode, answer, secrets, now);
  const parsed = oauthErrorSchema.safeParse(answer.json);
  if (!parsed.success)
    return new BankRequestError('the token request was refused', { bankCode, status: answer.status });
  const details = {
    bankCode,
    status: answer.status,
    code: parsed.data.error,
    text: redact(parsed.data.error_description ?? null, secrets),
  };
  // invalid_grant: the code or refresh token is spent, expired or revoked, or its consent is gone; only a new
  // authorisation by the client helps. Every other OAuth error is a mistake in our request or registration.
  if (parsed.data.error === 'invalid_grant')
    return new ConsentInvalidError('the bank refused the grant; the client has to authorise again', details);
  return new BankRequestError('the token request was refused', details);
}

function statusError(bankCode: string, status: number, summary: string): BankError {
  return status >= 500
    ? new BankUnavailableError(summary, { bankCode, status })
    : new BankRequestError(summary, { bankCode, status });
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before they go into the Basic credentials. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** fetch says "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, ...) in `cause`. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  const { message, code } = (cause ?? {}) as { message?: unknown; code?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  return typeof message === 'string' && message !== '' ? message : String(cause);
}
