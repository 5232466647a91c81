import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Bank tokens at rest: AES-256-GCM with the key from SECRETS_KEY (32 bytes, base64). Each value carries its own
 * random nonce and authentication tag, so a tampered or wrongly-keyed value fails loudly instead of decrypting
 * to garbage. Format: `v1.<nonce>.<tag>.<ciphertext>`, base64url parts.
 */
export interface TokenCipher {
  encrypt(plaintext: string): string;
  decrypt(sealed: string): string;
  /**
   * HMAC-SHA256 (hex) of a value under a key derived from SECRETS_KEY for one purpose (HKDF, `bankkoppeling
   * <purpose> v1`): a peppered lookup hash, e.g. of a serial number (domain/serial-number.ts), that the database
   * alone cannot reverse.
   */
  keyedHash(purpose: string, value: string): string;
}

export function createTokenCipher(base64Key: string): TokenCipher {
  const key = Buffer.from(base64Key, 'base64');
  if (key.length !== 32) {
    throw new Error('SECRETS_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)');
  }
  const derived = new Map<string, Buffer>();
  const keyFor = (purpose: string) => {
    let found = derived.get(purpose);
    if (!found) {
      found = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `bankkoppeling ${purpose} v1`, 32));
      derived.set(purpose, found);
    }
    return found;
  };
  return {
    keyedHash(purpose, value) {
      return createHmac('sha256', keyFor(purpose)).update(value, 'utf8').digest('hex');
    },
    encrypt(plaintext) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', nonce, cipher.getAuthTag(), body]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    decrypt(sealed) {
      const [version, nonce, tag, body] = sealed.split('.');
      if (version !== 'v1' || !nonce || !tag || body === undefined) throw new Error('not a sealed token');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
