import { createHash, createHmac, hkdfSync } from 'node:crypto';

/**
 * Activation link tokens (R-A9, R-A10). A token is HMAC-SHA256 over the link's id with a key derived from
 * SECRETS_KEY: 256 bits no one can guess without the key, re-derivable by the activity that sends the e-mail (so a
 * retried send sends the same link) and therefore never stored. The database keeps only SHA-256(token), which
 * is how a presented link is found.
 */
export function linkKey(secretsKeyBase64: string): Buffer {
  return Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(secretsKeyBase64, 'base64'),
      Buffer.alloc(0),
      'bankkoppeling activation link v1',
      32,
    ),
  );
}

export function activationToken(key: Buffer, linkId: string): string {
  return createHmac('sha256', key).update(linkId).digest('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A presented token must look like one before we spend a database lookup on it. */
export function looksLikeToken(candidate: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(candidate);
}
