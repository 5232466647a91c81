import type { Request, Response } from 'express';
import { z } from 'zod';
import type { TokenCipher } from '../../db/token-cipher';
import { readCookie } from './csrf';

/**
 * Where the client is in the wizard, and what was entered (R-V8: back and forward keep it). Held by the browser in
 * one cookie sealed with AES-GCM (db/token-cipher.ts): the client cannot read or change it, any API replica can
 * open it, and nothing is stored for a visitor who never got past the first step. Every step still checks the
 * serial number and onboarding in the database and the workflow's validators; the cookie only says which ones.
 */
const WizardSessionSchema = z.object({
  /** Set once serial number and KvK number matched; they also say which bank and office (R-V8: one run per bank). */
  serialNumberId: z.string(),
  onboardingId: z.string(),
  serial: z.string(),
  kvkNumber: z.string(),
  companyName: z.string(),
  bank: z.string(),
  /** R-V9, asked for ING only: null until answered, and for every other bank. */
  insideBusiness: z.boolean().nullable(),
  /** Terms and privacy statement accepted and the claim taken by the workflow: the later steps are open. */
  accepted: z.boolean(),
  accountManager: z.object({ name: z.string(), email: z.string() }).nullable(),
  /** Accounts chosen in the Accounts step, for the Done page until the profile sync records them. */
  chosen: z
    .array(
      z.object({ iban: z.string(), importTransactions: z.boolean(), payments: z.boolean(), directDebit: z.boolean() }),
    )
    .nullable(),
  expiresAt: z.number(),
});
export type WizardSession = z.infer<typeof WizardSessionSchema>;

/** A client finishes in about 2 minutes (R-V8); a day leaves room for a coffee and a card reader at the office. */
const SESSION_MS = 24 * 3_600_000;

export function wizardCookieName(secure: boolean): string {
  return secure ? '__Secure-bk_wizard' : 'bk_wizard';
}

export function readWizardSession(
  req: Request,
  cipher: Pick<TokenCipher, 'decrypt'>,
  secure: boolean,
  now = Date.now(),
): WizardSession | null {
  const sealed = readCookie(req, wizardCookieName(secure));
  if (!sealed || sealed.length > 8_000) return null;
  try {
    const parsed = WizardSessionSchema.safeParse(JSON.parse(cipher.decrypt(sealed)));
    return parsed.success && parsed.data.expiresAt > now ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeWizardSession(
  res: Response,
  cipher: Pick<TokenCipher, 'encrypt'>,
  secure: boolean,
  session: Omit<WizardSession, 'expiresAt'>,
  now = Date.now(),
): void {
  const sealed = cipher.encrypt(JSON.stringify({ ...session, expiresAt: now + SESSION_MS }));
  // Lax, not Strict: the bank's redirect back to the wizard is a cross-site top-level navigation and must carry it.
  res.cookie(wizardCookieName(secure), sealed, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/wizard',
    maxAge: SESSION_MS,
  });
}
