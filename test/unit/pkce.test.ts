import { createHash } from 'node:crypto';
import { createOAuthState, createPkcePair, pkceChallenge } from '../../domain/pkce';

describe('PKCE and OAuth state for the bank consent redirect (RFC 7636)', () => {
  it('computes the S256 challenge of the RFC 7636 appendix B example', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes a 43-character base64url verifier from 32 random bytes, with its S256 challenge', () => {
    const { verifier, challenge } = createPkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(verifier, 'base64url')).toHaveLength(32);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('never repeats a verifier or a state', () => {
    const verifiers = new Set(Array.from({ length: 200 }, () => createPkcePair().verifier));
    const states = new Set(Array.from({ length: 200 }, () => createOAuthState()));
    expect(verifiers.size).toBe(200);
    expect(states.size).toBe(200);
  });

  it('makes a state of at least 128 random bits, safe in a URL as is', () => {
    const state = createOAuthState();
    expect(state).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(state, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  });

  it.each(['too-short', 'x'.repeat(129), `${'a'.repeat(42)} `, `${'a'.repeat(42)}+`])(
    'refuses verifier %j',
    (verifier) => {
      expect(() => pkceChallenge(verifier)).toThrow(RangeError);
    },
  );

  it('accepts the full unreserved alphabet up to 128 characters', () => {
    const verifier = `${'A-._~z9'.repeat(18)}AB`;
    expect(verifier).toHaveLength(128);
    expect(pkceChallenge(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });
});
