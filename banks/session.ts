import type { BankConnector, BankSession, BankTokens } from './connector';
import { ConsentInvalidError } from './errors';

/** Refresh a little before the bank would refuse the token, so a page fetch never starts on a dying token. */
const REFRESH_MARGIN_MS = 60_000;

/** A consent's tokens in plain text: they exist in memory only, inside the activity that opened the session. */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date | null;
}

/** Where a consent's tokens are kept (encrypted at rest: db/consent-tokens.ts). */
export interface ConsentTokens {
  readonly bankCode: string;
  readonly bankConsentId: string;
  /** Null when the consent holds no tokens. */
  read(): Promise<StoredTokens | null>;
  /** Replaces the stored tokens: a bank may rotate the refresh token, and the old one may be spent. */
  save(tokens: BankTokens): Promise<void>;
}

/**
 * Opens an unattended session on a stored consent, refreshing and re-storing the tokens when they are about to
 * expire. Tokens never leave the activity.
 */
export async function openUnattendedSession(store: ConsentTokens, connector: BankConnector): Promise<BankSession> {
  const stored = await store.read();
  if (!stored) throw new ConsentInvalidError('no tokens are stored for this consent', { bankCode: store.bankCode });
  const expiresAt = stored.expiresAt?.getTime() ?? 0;
  if (expiresAt - Date.now() > REFRESH_MARGIN_MS) {
    return { consentId: store.bankConsentId, accessToken: stored.accessToken, unattended: true };
  }
  return refresh(store, stored.refreshToken, connector);
}

/** A new session after the bank refused the access token before its time (revoked, or the bank's clock). */
export async function refreshSession(store: ConsentTokens, connector: BankConnector): Promise<BankSession> {
  const stored = await store.read();
  if (!stored)
    throw new ConsentInvalidError('no refresh token is stored for this consent', { bankCode: store.bankCode });
  return refresh(store, stored.refreshToken, connector);
}

async function refresh(store: ConsentTokens, refreshToken: string, connector: BankConnector): Promise<BankSession> {
  const tokens = await connector.refreshTokens(refreshToken);
  await store.save(tokens);
  return { consentId: store.bankConsentId, accessToken: tokens.accessToken, unattended: true };
}
