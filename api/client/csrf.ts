import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * CSRF protection for the client forms: a double-submit cookie, bound to the link.
 *
 * The browser holds a random 256-bit secret in an HttpOnly, SameSite=Strict cookie (`__Host-` prefixed and Secure
 * when the public URL is https, so a sibling subdomain cannot plant one). The form's hidden field is not the secret
 * itself but HMAC-SHA256(secret, link id): a page of one link cannot be replayed against another, and the secret
 * never appears in HTML. A cross-site page cannot read the cookie, so it cannot compute the field; this matters
 * because an attacker holding an activation link of their own could otherwise make a victim's browser press
 * "Koppelen" on it and send the victim to the bank to consent to the attacker's onboarding. The comparison runs
 * in constant time. No server-side session or key is needed, so any API replica can check any form.
 */

const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function csrfCookieName(secure: boolean): string {
  return secure ? '__Host-bk_csrf' : 'bk_csrf';
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The browser's secret; a fresh one is set when the request brought none (SameSite=Strict drops it on arrival from a
 * mail client).
 */
export function ensureCsrfSecret(req: Request, res: Response, secure: boolean): string {
  const existing = readCookie(req, csrfCookieName(secure));
  if (existing && SECRET.test(existing)) return existing;
  const secret = randomBytes(32).toString('base64url');
  res.cookie(csrfCookieName(secure), secret, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
  return secret;
}

/** Which form: a field of the "Koppelen" form cannot press "undo", nor one wizard step submit another. */
export type CsrfPurpose =
  'connect' | 'undo' | 'wizard-details' | 'wizard-terms' | 'wizard-connection' | 'wizard-consent' | 'wizard-accounts';

export function csrfField(secret: string, linkId: string, purpose: CsrfPurpose = 'connect'): string {
  return createHmac('sha256', secret).update(`${purpose}\n${linkId}`).digest('base64url');
}

export function csrfValid(req: Request, secure: boolean, linkId: string, purpose: CsrfPurpose = 'connect'): boolean {
  const secret = readCookie(req, csrfCookieName(secure));
  const presented = (req.body as Record<string, unknown> | undefined)?.csrf;
  if (!secret || !SECRET.test(secret) || typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfField(secret, linkId, purpose));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
