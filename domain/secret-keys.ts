import { hkdfSync } from 'node:crypto';

/**
 * Every secret the product uses is derived from SECRETS_KEY by labelled HKDF-SHA256, one key per purpose, so a key
 * that leaks from one use (a cookie, a codec endpoint) opens nothing else, and the master key itself never keys a
 * cipher or a MAC. The labels of 'activation link' and 'serial number' are the ones used before this module existed,
 * so links and serial numbers already issued are still found.
 *
 * Rotation: SECRETS_KEY_PREVIOUS holds the key being retired. New values are made with the current key only;
 * whatever is read or looked up tries the current key first, then the previous one (README "Rotating SECRETS_KEY").
 */
export const KEY_PURPOSES = [
  'bank tokens',
  'cookies',
  'activation link',
  'serial number',
  'serial-wrong-kvk',
  'payload codec',
] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** One master key: its short public id (names the key in sealed values and payloads) and the key itself. */
export interface MasterKey {
  id: string;
  secret: Buffer;
}

export interface Keyring {
  /** Current first, then the previous key during a rotation. */
  masters: readonly MasterKey[];
  current: MasterKey;
  /** The key of one purpose under each master key, current first. */
  derived(purpose: KeyPurpose): readonly { id: string; key: Buffer }[];
}

function parseMasterKey(base64: string, name = 'SECRETS_KEY'): MasterKey {
  const secret = Buffer.from(base64, 'base64');
  if (secret.length !== 32)
    throw new Error(`${name} must be 32 random bytes in base64 (e.g. \`openssl rand -base64 32\`)`);
  return { id: hkdf(secret, 'key id').subarray(0, 4).toString('hex'), secret };
}

export function createKeyring(currentBase64: string, previousBase64?: string | null): Keyring {
  const current = parseMasterKey(currentBase64);
  const previous = previousBase64 ? parseMasterKey(previousBase64, 'SECRETS_KEY_PREVIOUS') : null;
  if (previous && previous.id === current.id) throw new Error('SECRETS_KEY_PREVIOUS is the same key as SECRETS_KEY');
  const masters = previous ? [current, previous] : [current];
  const cache = new Map<KeyPurpose, { id: string; key: Buffer }[]>();
  return {
    masters,
    current,
    derived(purpose) {
      let keys = cache.get(purpose);
      if (!keys) {
        keys = masters.map((master) => ({ id: master.id, key: deriveKey(master.secret, purpose) }));
        cache.set(purpose, keys);
      }
      return keys;
    },
  };
}

function deriveKey(master: Buffer, purpose: KeyPurpose): Buffer {
  return hkdf(master, purpose);
}

function hkdf(master: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `bankkoppeling ${label} v1`, 32));
}
