import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Keyring, KeyPurpose } from '../domain/secret-keys';

/**
 * Secrets at rest and in sealed cookies: AES-256-GCM. Each value carries its own random nonce and authentication
 * tag, so a tampered or wrongly-keyed value fails loudly instead of decrypting to garbage.
 *
 * New values: `v2.<key id>.<nonce>.<tag>.<ciphertext>` under the key derived for this cipher's purpose
 * (domain/secret-keys.ts); the key id says which master key, so a rotation reads both old and new values.
 * Values written before keys were derived, `v1.<nonce>.<tag>.<ciphertext>` under the raw SECRETS_KEY, still
 * decrypt (current key, then the previous one), so stored bank tokens survive the upgrade.
 */
export interface TokenCipher {
  encrypt(plaintext: string): string;
  decrypt(sealed: string): string;
  /**
   * HMAC-SHA256 (hex) of a value under the current key of a purpose: a peppered lookup hash, e.g. of a serial
   * number (domain/serial-number.ts), that the database alone cannot reverse. What is stored is made with this.
   */
  keyedHash(purpose: KeyPurpose, value: string): string;
  /** The same hash under each key of the ring, current first: what a lookup must try during a rotation. */
  keyedHashes(purpose: KeyPurpose, value: string): string[];
  /** Whether a sealed value already is what encrypt() makes now; anything else is sealed again after a rotation. */
  sealedWithCurrentKey(sealed: string): boolean;
}

export function createTokenCipher(keys: Keyring, purpose: 'bank tokens' | 'cookies' = 'bank tokens'): TokenCipher {
  const hashes = (hashPurpose: KeyPurpose, value: string) =>
    keys.derived(hashPurpose).map(({ key }) => createHmac('sha256', key).update(value, 'utf8').digest('hex'));
  return {
    keyedHash: (hashPurpose, value) => hashes(hashPurpose, value)[0]!,
    keyedHashes: hashes,
    sealedWithCurrentKey: (sealed) => sealed.startsWith(`v2.${keys.current.id}.`),
    encrypt(plaintext) {
      const { id, key } = keys.derived(purpose)[0]!;
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v2', id, ...[nonce, cipher.getAuthTag(), body].map((part) => part.toString('base64url'))].join('.');
    },
    decrypt(sealed) {
      const parts = sealed.split('.');
      if (parts[0] === 'v2' && parts.length === 5) {
        const found = keys.derived(purpose).find(({ id }) => id === parts[1]);
        if (!found)
          throw new Error(`sealed with key ${parts[1]}, which is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS`);
        return open(found.key, parts.slice(2));
      }
      if (parts[0] === 'v1' && parts.length === 4) return openV1(keys, parts.slice(1));
      throw new Error('not a sealed token');
    },
  };
}

/** Before derived keys: the raw master key, whichever of the ring opens it (GCM's tag tells a wrong key). */
function openV1(keys: Keyring, parts: string[]): string {
  let lastError: unknown;
  for (const master of keys.masters) {
    try {
      return open(master.secret, parts);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

function open(key: Buffer, [nonce, tag, body]: string[]): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce!, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body!, 'base64url')), decipher.final()]).toString('utf8');
}
