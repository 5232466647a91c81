import { createHash, createHmac } from 'node:crypto';

/**
 * Activation link tokens (R-A9, R-A10). A token is HMAC-SHA256 over the link's id with the 'activation link' key
 * (domain/secret-keys.ts): 256 bits no one can guess without the key, re-derivable by the activity that sends the
 * e-mail (so a retried send sends the same link) and therefore never stored. The database keeps only
 * SHA-256(token), which is how a presented link is found.
 */
export function activationToken(key: Buffer, linkId: string): string {
  return createHmac('sha256', key).update(linkId).digest('base64url');
}

/**
 * The token of a link already issued, for a reminder or a retried send: under whichever key of the ring made the
 * stored hash, so a link issued before a key rotation keeps its address in every e-mail.
 */
export function issuedToken(keys: readonly Buffer[], linkId: string, storedHash: string): string | null {
  for (const key of keys) {
    const token = activationToken(key, linkId);
    if (tokenHash(token) === storedHash) return token;
  }
  return null;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A presented token must look like one before we spend a database lookup on it. */
export function looksLikeToken(candidate: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(candidate);
}
