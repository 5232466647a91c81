/**
 * IBAN checks (ISO 13616). Accounts are matched by IBAN everywhere (never by a bank's resource id), so the
 * form is normalised once: upper case, no spaces.
 */

/** Lengths per country, for the countries a Dutch office meets most; others are checked by mod-97 alone. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  NL: 18,
  BE: 16,
  DE: 22,
  FR: 27,
  LU: 20,
  GB: 22,
  IE: 22,
  ES: 24,
  IT: 27,
  AT: 20,
  CH: 21,
  DK: 18,
};

/** Dutch bank codes (positions 5-8 of an NL IBAN) of the banks this product connects. */
export const DUTCH_BANK_CODES = ['INGB', 'RABO', 'ABNA'] as const;
export type DutchBankCode = (typeof DUTCH_BANK_CODES)[number];

export function normaliseIban(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}

/** Returns the reason an IBAN is invalid, or null when it is valid. */
/** In groups of four, as printed on a bank card: NL69 INGB 0123 4567 89. */
export function formatIban(iban: string): string {
  return normaliseIban(iban).replace(/(.{4})(?=.)/g, '$1 ');
}

/** Longer than any IBAN even with spaces: refused before any pattern runs, so a long field costs nothing. */
const MAX_IBAN_INPUT = 64;

export function ibanProblem(input: string): string | null {
  const iban = input.length > MAX_IBAN_INPUT ? '' : normaliseIban(input);
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$/.test(iban)) {
    return 'is not an IBAN: two letters, two check digits and 10 to 30 letters or digits';
  }
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) {
    return `has ${iban.length} characters; a ${iban.slice(0, 2)} IBAN has ${expected}`;
  }
  if (iban.startsWith('NL') && !/^NL[0-9]{2}[A-Z]{4}[0-9]{10}$/.test(iban)) {
    return 'is not a Dutch IBAN: NL, two check digits, four letters of the bank and ten digits';
  }
  if (mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) return 'has wrong check digits (mod-97)';
  return null;
}

export function isValidIban(input: string): boolean {
  return ibanProblem(input) === null;
}

/** The bank code of a Dutch IBAN (e.g. INGB), or null for another country. */
export function dutchBankCode(iban: string): string | null {
  const normal = normaliseIban(iban);
  return normal.startsWith('NL') ? normal.slice(4, 8) : null;
}

/** Computes the two check digits for a country and BBAN: used by the sandbox bank to mint valid IBANs. */
export function ibanCheckDigits(country: string, bban: string): string {
  const remainder = mod97(normaliseIban(bban) + country.toUpperCase() + '00');
  return String(98 - remainder).padStart(2, '0');
}

/** Piecewise mod-97 over the letter-expanded string, so no big integers are needed. */
function mod97(rearranged: string): number {
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 && code <= 90 ? String(code - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return remainder;
}
