import { normaliseIban } from '../../iban';
import { isCapital, isDigit } from './chars';

/**
 * Account identifiers as MT940 files write them: IBANs (sometimes with spaces or the currency glued on) and,
 * in pre-SEPA files, Dutch domestic numbers. Where a file names an IBAN it is returned normalised; anything
 * else stays as the bank wrote it, because only the bank knows what its own notation means.
 */

/**
 * The shape of an IBAN; the check digits are not verified, since banks' test files carry made-up ones. RF is
 * excluded: an ISO 11649 creditor reference (RF18539007547034) has the same shape but is a payment reference.
 */
const IBAN_SHAPE = /^(?!RF)[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/** Postbank giro numbers were written P + digits; bank accounts had 9 or 10 digits, sometimes dotted (52.89.39.882). */
const GIRO = /^P\d{1,9}$/;
const DOTTED_OR_PLAIN_DIGITS = /^\d[\d.]*\d$/;

export function asIban(text: string): string | null {
  if (isCompactIbanShape(text)) return text;
  const compact = normaliseIban(text);
  return IBAN_SHAPE.test(compact) ? compact : null;
}

/**
 * IBAN_SHAPE for a text that normaliseIban would leave as it is, capitals and digits only: the part of `text`
 * from `start` to `end`.
 */
export function isCompactIbanShape(text: string, start = 0, end = text.length): boolean {
  const length = end - start;
  if (length < 15 || length > 34) return false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(start + i);
    const expected = i < 2 ? isCapital(code) : i < 4 ? isDigit(code) : isCapital(code) || isDigit(code);
    if (!expected) return false;
  }
  return !(text.charCodeAt(start) === 0x52 && text.charCodeAt(start + 1) === 0x46);
}

/**
 * Field :25:. ING writes `NL69INGB0123456789EUR`, Rabobank `NL68RABO0123456789 EUR` or `1700.59.308EUR`: the
 * currency is not part of the account.
 */
export function statementAccount(written: string, currency: string): string {
  // `currency` is three capitals: what `\s*${currency}$` removes is the currency and the white space before it.
  const trimmed = written.trim();
  const bare = (trimmed.endsWith(currency) ? trimmed.slice(0, -currency.length).trimEnd() : trimmed) || trimmed;
  return asIban(bare) ?? bare;
}

/** A counterparty account in a token of free text or a reference: an IBAN, or a domestic account number. */
export function counterpartyAccount(token: string): string | null {
  const trimmed = token.trim();
  return asIban(trimmed) ?? (isDomesticAccount(trimmed) ? trimmed : null);
}

function isDomesticAccount(token: string): boolean {
  if (GIRO.test(token)) return true;
  if (!DOTTED_OR_PLAIN_DIGITS.test(token)) return false;
  const digits = token.replace(/\./g, '').length;
  return digits === 9 || digits === 10;
}
