import { createHash, randomBytes } from 'node:crypto';

/**
 * PKCE (RFC 7636) and the OAuth `state` for the bank's consent redirect (DESIGN.md "Onboarding workflow" step 4).
 * The verifier and the state stay with the platform; only the challenge travels to the bank.
 */

/** RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface PkcePair {
  verifier: string;
  /** S256: BASE64URL(SHA256(ASCII(verifier))), without padding. */
  challenge: string;
}

/** 32 random bytes give a 43-character verifier, the 256 bits of entropy RFC 7636 §7.1 recommends. */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}

export function pkceChallenge(verifier: string): string {
  if (!VERIFIER.test(verifier))
    throw new RangeError('A PKCE code verifier has 43 to 128 unreserved characters (RFC 7636 §4.1)');
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** 256 random bits: far past the 128 an attacker would have to guess to forge the bank's callback (RFC 6749 §10.12). */
export function createOAuthState(): string {
  return randomBytes(32).toString('base64url');
}
