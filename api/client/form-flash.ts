import type { Request, Response } from 'express';
import { z } from 'zod';
import type { TokenCipher } from '../../db/token-cipher';
import { readCookie } from './csrf';
import type { FieldMessage } from './wizard-text';

/**
 * What a refused wizard form said: the values as typed and the message per field, sealed like the wizard session
 * (db/token-cipher.ts) for the page the POST redirects to (303). So the page with the messages is a plain GET:
 * F5 and Back show it again and never send the form a second time. It stays until the form is sent again or
 * passes, so a reload shows the same page instead of an emptied form.
 */
export type WizardForm = 'details' | 'terms' | 'connection' | 'accounts';

const FlashSchema = z.object({
  form: z.enum(['details', 'terms', 'connection', 'accounts']),
  fields: z.record(z.string(), z.string()),
  /** The Accounts step's ticks, per IBAN. */
  choice: z
    .array(
      z.object({
        iban: z.string(),
        importTransactions: z.boolean(),
        payments: z.boolean(),
        directDebit: z.boolean(),
      }),
    )
    .nullable(),
  // Only this server seals the cookie (AES-GCM): the shape was checked when it was written.
  errors: z.record(
    z.string(),
    z.custom<FieldMessage>((v) => typeof v === 'object' && v !== null && 'code' in v),
  ),
});
export type FormFlash = z.infer<typeof FlashSchema>;

/** Long enough to read the messages and fix them; a form left for longer starts clean. */
const FLASH_MS = 3_600_000;

function cookieName(secure: boolean): string {
  return secure ? '__Secure-bk_form' : 'bk_form';
}

/** The refused form's values and messages, if the last refused form was this page's. */
export function readFormFlash(
  req: Request,
  cipher: Pick<TokenCipher, 'decrypt'>,
  secure: boolean,
  form: WizardForm,
): FormFlash | null {
  const sealed = readCookie(req, cookieName(secure));
  if (!sealed || sealed.length > 8_000) return null;
  try {
    const parsed = FlashSchema.safeParse(JSON.parse(cipher.decrypt(sealed)));
    return parsed.success && parsed.data.form === form ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeFormFlash(
  res: Response,
  cipher: Pick<TokenCipher, 'encrypt'>,
  secure: boolean,
  flash: FormFlash,
): void {
  const sealed = cipher.encrypt(JSON.stringify(flash));
  const options = { httpOnly: true, sameSite: 'lax' as const, secure, path: '/wizard', maxAge: FLASH_MS };
  res.cookie(cookieName(secure), sealed, options);
}

/** A form passed: its old messages must not show up again. */
export function clearFormFlash(res: Response, secure: boolean): void {
  res.clearCookie(cookieName(secure), { httpOnly: true, sameSite: 'lax', secure, path: '/wizard' });
}
