import type { ConsentStatus } from '../domain/consent';

/**
 * What the platform needs from a bank, whatever API the bank speaks: an AIS consent the client authorises at the
 * bank (OAuth2 authorization code with PKCE S256), tokens for it, the consented accounts and their transactions.
 * Every method throws the errors of ./errors.ts, so activities and workflows handle all banks alike.
 *
 * Callers match accounts by IBAN (normalised with `normaliseIban`), never by `resourceId`: a bank hands out a new
 * resource id for the same account with every consent (R-A12).
 */

export interface CreateConsentInput {
  /** YYYY-MM-DD. Banks may shorten it (PSD2: at most 180 days): read the consent back for the real date. */
  validUntil: string;
  /** Unattended accesses a day; banks may lower it (PSD2 RTS: 4), so read it back too. */
  frequencyPerDay: number;
  /** True for the standing access a bank connection needs; a one-off consent allows frequencyPerDay 1. */
  recurringIndicator: boolean;
  /** Limits the consent to these accounts; without it the client picks the accounts at the bank. */
  ibans?: readonly string[];
  /** The client's IP address, when the client is on our page while we ask. */
  psuIpAddress?: string;
}

export interface CreatedConsent {
  consentId: string;
  consentStatus: ConsentStatus;
}

export interface AuthorizationUrlInput {
  consentId: string;
  /** From `createOAuthState`; the callback must bring the same value back. */
  state: string;
  /** S256 challenge from `createPkcePair`. */
  codeChallenge: string;
  /** Registered at the bank, compared character for character. */
  redirectUri: string;
}

export interface ExchangeCodeInput {
  code: string;
  codeVerifier: string;
  /** The same redirect URI as in the authorization URL. */
  redirectUri: string;
}

/** Secrets: store them encrypted, never put them in workflow input, history or logs. */
export interface BankTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  /** As the bank granted it, e.g. `AIS:<consentId>`; null when the bank did not say. */
  scope: string | null;
}

/**
 * Who is asking. `unattended: true` is a scheduled fetch without the client present: it counts against the
 * consent's frequencyPerDay. When the client is present (on our page), the bank wants their IP address.
 */
export type BankSession = { consentId: string; accessToken: string } & (
  { unattended: true } | { unattended: false; psuIpAddress: string }
);

export interface BankConsent {
  consentId: string;
  status: ConsentStatus;
  validUntil: string;
  frequencyPerDay: number;
  recurringIndicator: boolean;
  /** Normalised IBANs the consent covers; empty until the client has chosen them at the bank. */
  accounts: string[];
}

export interface BankAccountInfo {
  /** The bank's id for the account under this consent only. */
  resourceId: string;
  /** Normalised: upper case, no spaces. */
  iban: string;
  currency: string;
  name: string | null;
  product: string | null;
  /** ISO 20022 cash account type: CACC current, SVGS savings, ... */
  cashAccountType: string | null;
}

export interface BankBalance {
  /** Berlin Group balance type: closingBooked, interimBooked, interimAvailable, expected, ... */
  balanceType: string;
  amountCents: number;
  currency: string;
  referenceDate: string | null;
}

export type BookingStatus = 'booked' | 'pending' | 'both';

export interface TransactionQuery {
  /** YYYY-MM-DD, inclusive. */
  dateFrom: string;
  bookingStatus: BookingStatus;
}

export interface BankTransaction {
  transactionId: string | null;
  /** The bank's statement reference (camt `AcctSvcrRef`); booked entries only. */
  entryReference: string | null;
  /** Null for a pending entry: it is not booked yet. */
  bookingDate: string | null;
  valueDate: string | null;
  /** Signed minor units: money in positive, money out negative. */
  amountCents: number;
  currency: string;
  counterpartyIban: string | null;
  counterpartyName: string | null;
  /** Unstructured remittance information, else the structured reference (betalingskenmerk, RF); '' when neither. */
  description: string;
  endToEndId: string | null;
  bankTransactionCode: string | null;
  booked: boolean;
}

export interface TransactionPage {
  booked: BankTransaction[];
  pending: BankTransaction[];
}

export interface BankConnector {
  readonly bankCode: string;
  createConsent(input: CreateConsentInput): Promise<CreatedConsent>;
  /** Where to send the client's browser; asks the bank's OAuth metadata for its authorization endpoint. */
  authorizationUrl(input: AuthorizationUrlInput): Promise<string>;
  exchangeCode(input: ExchangeCodeInput): Promise<BankTokens>;
  /** Refresh tokens may rotate: store the returned refresh token, the old one may be spent. */
  refreshTokens(refreshToken: string): Promise<BankTokens>;
  /** Before the client has authorised it, a consent can be read without a session. */
  getConsent(consentId: string, session?: BankSession): Promise<BankConsent>;
  /** Ends the consent at the bank (terminatedByTpp); a consent already dead counts as ended. */
  deleteConsent(consentId: string, session?: BankSession): Promise<void>;
  listAccounts(session: BankSession): Promise<BankAccountInfo[]>;
  balances(session: BankSession, resourceId: string): Promise<BankBalance[]>;
  /** One item per page of the bank's answer, following `_links.next`; the first request alone counts as an access. */
  transactions(session: BankSession, resourceId: string, query: TransactionQuery): AsyncIterable<TransactionPage>;
}
