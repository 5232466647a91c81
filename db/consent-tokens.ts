import type { EntityManager } from '@mikro-orm/postgresql';
import { Consent, type IConsent } from './entities';
import type { TokenCipher } from './token-cipher';

/**
 * The ConsentTokens store of banks/session.ts on a loaded Consent: its tokens are stored encrypted and decrypted
 * only when a session asks for them.
 */
export function consentTokens(em: EntityManager, consent: IConsent, cipher: TokenCipher) {
  return {
    bankCode: consent.bankCode,
    bankConsentId: consent.bankConsentId,
    async read() {
      if (!consent.accessTokenEncrypted || !consent.refreshTokenEncrypted) return null;
      return {
        accessToken: cipher.decrypt(consent.accessTokenEncrypted),
        refreshToken: cipher.decrypt(consent.refreshTokenEncrypted),
        expiresAt: consent.tokenExpiresAt ?? null,
      };
    },
    async save(tokens: { accessToken: string; refreshToken: string; expiresAt: Date }) {
      await em.nativeUpdate(
        Consent,
        { id: consent.id },
        {
          accessTokenEncrypted: cipher.encrypt(tokens.accessToken),
          refreshTokenEncrypted: cipher.encrypt(tokens.refreshToken),
          tokenExpiresAt: tokens.expiresAt,
        },
      );
    },
  };
}
