import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { createTokenCipher } from '../../db/token-cipher';
import { activationToken, issuedToken, tokenHash } from '../../domain/activation-token';
import { createKeyring, KEY_PURPOSES } from '../../domain/secret-keys';
import { serialNumberHash, serialNumberHashes } from '../../domain/serial-number';

/**
 * Issue 12: one SECRETS_KEY did everything. Each purpose now has its own labelled HKDF key, and a second, older key
 * (SECRETS_KEY_PREVIOUS) keeps everything stored or issued under it readable during a rotation.
 */
const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');

/** A bank token as the product sealed it before keys were derived: `v1`, AES-256-GCM under the raw SECRETS_KEY. */
function sealedV1(base64Key: string, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(base64Key, 'base64'), nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', nonce, cipher.getAuthTag(), body]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The labelled HKDF the product used before this change for link tokens and serial hashes. */
function labelledKey(base64Key: string, label: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(base64Key, 'base64'), Buffer.alloc(0), `bankkoppeling ${label} v1`, 32),
  );
}

test('every purpose has its own key, none of them the master key, and the key id gives the key away nowhere', () => {
  const keys = createKeyring(NEW);
  const derived = KEY_PURPOSES.map((purpose) => keys.derived(purpose)[0]!.key.toString('hex'));
  expect(new Set([...derived, Buffer.from(NEW, 'base64').toString('hex')]).size).toBe(KEY_PURPOSES.length + 1);
  expect(keys.current.id).toMatch(/^[0-9a-f]{8}$/);
  expect(createKeyring(OLD).current.id).not.toBe(keys.current.id);
  expect(() => createKeyring(NEW, NEW)).toThrow('SECRETS_KEY_PREVIOUS is the same key as SECRETS_KEY');
  expect(() => createKeyring('c2hvcnQ=')).toThrow('SECRETS_KEY must be 32 random bytes');
});

test('bank tokens are sealed v2 under the derived key with its key id; the raw SECRETS_KEY no longer opens them', () => {
  const keys = createKeyring(NEW);
  const sealed = createTokenCipher(keys).encrypt('access-token');
  const [version, keyId] = sealed.split('.');
  expect([version, keyId]).toEqual(['v2', keys.current.id]);
  expect(createTokenCipher(keys).decrypt(sealed)).toBe('access-token');
  const v1Shaped = ['v1', ...sealed.split('.').slice(2)].join('.');
  expect(() => createTokenCipher(keys).decrypt(v1Shaped)).toThrow();
});

test('bank tokens stored before the change (v1, raw key) still decrypt, also once that key is the previous one', () => {
  const stored = sealedV1(OLD, 'refresh-token');
  expect(createTokenCipher(createKeyring(OLD)).decrypt(stored)).toBe('refresh-token');
  expect(createTokenCipher(createKeyring(NEW, OLD)).decrypt(stored)).toBe('refresh-token');
  expect(() => createTokenCipher(createKeyring(NEW)).decrypt(stored)).toThrow();
});

test('during a rotation, values sealed under the previous key open and new ones are sealed under the current key', () => {
  const before = createTokenCipher(createKeyring(OLD)).encrypt('consent token');
  const rotating = createTokenCipher(createKeyring(NEW, OLD));
  expect(rotating.decrypt(before)).toBe('consent token');
  expect(rotating.encrypt('x').split('.')[1]).toBe(createKeyring(NEW).current.id);
  // After the rotation, with the old key gone, what it sealed is refused by name instead of failing as garbage.
  expect(() => createTokenCipher(createKeyring(NEW)).decrypt(before)).toThrow('neither SECRETS_KEY nor');
});

test('cookies are sealed under a key of their own: a cookie does not open as a bank token, nor the other way', () => {
  const keys = createKeyring(NEW);
  const cookie = createTokenCipher(keys, 'cookies').encrypt('{"serialNumberId":"x"}');
  expect(createTokenCipher(keys, 'cookies').decrypt(cookie)).toBe('{"serialNumberId":"x"}');
  expect(() => createTokenCipher(keys).decrypt(cookie)).toThrow();
  expect(() => createTokenCipher(keys, 'cookies').decrypt(createTokenCipher(keys).encrypt('token'))).toThrow();
});

test('serial numbers issued before the change are found, before and during a rotation', () => {
  const serial = 'ABCDEFGHJKMN';
  const issuedBefore = createHmac('sha256', labelledKey(OLD, 'serial number')).update(serial).digest('hex');
  expect(serialNumberHash(createTokenCipher(createKeyring(OLD)), serial)).toBe(issuedBefore);
  const rotating = createTokenCipher(createKeyring(NEW, OLD));
  expect(serialNumberHashes(rotating, serial)).toEqual([
    serialNumberHash(createTokenCipher(createKeyring(NEW)), serial),
    issuedBefore,
  ]);
  expect(serialNumberHash(rotating, serial)).not.toBe(issuedBefore);
});

test('activation links issued before the change or under the previous key keep their address in later e-mails', () => {
  const linkId = 'c0ffee00-0000-4000-8000-000000000001';
  const issuedBefore = activationToken(labelledKey(OLD, 'activation link'), linkId);
  const storedHash = tokenHash(issuedBefore);
  const rotating = createKeyring(NEW, OLD)
    .derived('activation link')
    .map(({ key }) => key);
  expect(issuedToken(rotating, linkId, storedHash)).toBe(issuedBefore);
  expect(
    issuedToken(
      createKeyring(NEW)
        .derived('activation link')
        .map(({ key }) => key),
      linkId,
      storedHash,
    ),
  ).toBeNull();
});
