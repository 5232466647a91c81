import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie } from './csrf';

/**
 * The bank's way back counts only in the browser that went to the bank (RFC 9700 section 2.1). Without this, whoever
 * holds an activation link or serial number could start a consent, send the bank's login page to a victim, and have
 * the victim's consent link the victim's accounts to the attacker's onboarding.
 *
 * The browser holds a random 256-bit nonce in an HttpOnly cookie; the attempt stores only its SHA-256, so the
 * database never holds what the browser presents, and the callback compares hashes in constant time. SameSite=Lax,
 * not Strict: the bank's redirect back is a cross-site top-level navigation and must carry it. Like the CSRF
 * cookie, it is `__Host-` prefixed and Secure when the public URL is https (a sibling subdomain cannot plant one);
 * on plain http (development, tests) browsers refuse both, so it goes without. One nonce per browser, kept while
 * it lasts: a second tab's trip to the bank does not break the first one's way back.
 */

const NONCE = /^[A-Za-z0-9_-]{43}$/;
/** As long as the return cookie: the bank's own pages time out after 15 minutes. */
const NONCE_MS = 30 * 60_000;

export function browserCookieName(secure: boolean): string {
  return secure ? '__Host-bk_consent' : 'bk_consent';
}

/** The hash to store on the attempt this browser is about to take to the bank; sets (or renews) the cookie. */
export function bindBrowser(req: Request, res: Response, secure: boolean): string {
  const existing = readCookie(req, browserCookieName(secure));
  const nonce = existing && NONCE.test(existing) ? existing : randomBytes(32).toString('base64url');
  res.cookie(browserCookieName(secure), nonce, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: NONCE_MS,
  });
  return nonceHash(nonce);
}

/** Whether this request comes from the browser the attempt was bound to; an unbound attempt matches no browser. */
export function sameBrowser(req: Request, secure: boolean, browserHash: string | null | undefined): boolean {
  const nonce = readCookie(req, browserCookieName(secure));
  if (!browserHash || !nonce || !NONCE.test(nonce)) return false;
  const expected = Buffer.from(browserHash);
  const given = Buffer.from(nonceHash(nonce));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function nonceHash(nonce: string): string {
  return createHash('sha256').update(nonce, 'utf8').digest('hex');
}
