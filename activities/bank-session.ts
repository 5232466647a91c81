import type { EntityManager } from '@mikro-orm/postgresql';
import type { BankConnector, BankSession } from '../banks/connector';
import { ConsentInvalidError } from '../banks/errors';
import { Consent, type IConsent } from '../db/entities';
import type { TokenCipher } from '../db/token-cipher';

/** Refresh a little before the bank would refuse the token, so a page fetch never starts on a dying token. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * Opens an unattended session on a stored consent: decrypts the tokens (they exist in memory only here),
 * refreshes and re-stores them when they are about to expire. Tokens never leave the activity.
 */
export async function openUnattendedSession(
  em: EntityManager,
  consent: IConsent,
  connector: BankConnector,
  cipher: TokenCipher,
): Promise<BankSession> {
  if (!consent.accessTokenEncrypted || !consent.refreshTokenEncrypted) {
    throw new ConsentInvalidError('no tokens are stored for this consent', { bankCode: consent.bankCode });
  }
  const expiresAt = consent.tokenExpiresAt?.getTime() ?? 0;
  if (expiresAt - Date.now() > REFRESH_MARGIN_MS) {
    return {
      consentId: consent.bankConsentId,
      accessToken: cipher.decrypt(consent.accessTokenEncrypted),
      unattended: true,
    };
  }
  return refreshSession(em, consent, connector, cipher);
}

export async function refreshSession(
  em: EntityManager,
  consent: IConsent,
  connector: BankConnector,
  cipher: TokenCipher,
): Promise<BankSession> {
  if (!consent.refreshTokenEncrypted)
    throw new ConsentInvalidError('no refresh token is stored for this consent', { bankCode: consent.bankCode });
  const tokens = await connector.refreshTokens(cipher.decrypt(consent.refreshTokenEncrypted));
  await em.nativeUpdate(
    Consent,
    { id: consent.id },
    {
      accessTokenEncrypted: cipher.encrypt(tokens.accessToken),
      refreshTokenEncrypted: cipher.encrypt(tokens.refreshToken),
      tokenExpiresAt: tokens.expiresAt,
    },
  );
  return { consentId: consent.bankConsentId, accessToken: tokens.accessToken, unattended: true };
}
