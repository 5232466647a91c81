import { StatementParseError } from './types';

/**
 * Decimal amounts as banks write them, read exactly into integer minor units. Fractions are never held in floating
 * point: 0.1 + 0.2 style errors would make a balance chain fail to close by a cent. (Whole numbers below 10^15,
 * which a double holds exactly, are how the common case is read.)
 */

/** ISO 4217 minor units of the currencies that do not have 2; every other currency has 2. */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Number of decimals of an ISO 4217 currency code (EUR 2, JPY 0, BHD 3). */
export function currencyDecimals(currency: string): number {
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new StatementParseError(`invalid currency code "${currency}" (expected three capital letters, ISO 4217)`);
  }
  return MINOR_UNITS[currency] ?? 2;
}

const DECIMAL: Readonly<Record<'.' | ',', RegExp>> = { '.': /^(\d*)(?:\.(\d*))?$/, ',': /^(\d*)(?:,(\d*))?$/ };

/**
 * Parses an unsigned decimal amount ("1234.56" in camt, "1234,56" or "1234," in MT940) into integer minor
 * units for a currency with `decimals` decimals. The sign is never part of the text in either format (it comes
 * from a credit/debit mark), so a sign is rejected rather than guessed at.
 */
export function parseMinorUnits(text: string, decimals: number, separator: '.' | ','): number {
  const fast = plainMinorUnits(text, decimals, separator === '.' ? POINT : COMMA);
  if (fast >= 0) return fast;
  const match = DECIMAL[separator].exec(text.trim());
  if (match === null || `${match[1]}${match[2] ?? ''}` === '') {
    throw new StatementParseError(
      `unreadable amount "${text}" (expected digits with "${separator}" as decimal separator)`,
    );
  }
  const [, whole, fraction = ''] = match;
  if (fraction.replace(/0+$/, '').length > decimals) {
    throw new StatementParseError(
      `amount "${text}" has more than ${decimals} decimals; it cannot be booked without rounding`,
    );
  }
  const minor = BigInt(`${whole || '0'}${fraction.slice(0, decimals).padEnd(decimals, '0')}`);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new StatementParseError(`amount "${text}" is too large`);
  }
  return Number(minor);
}

const POINT = 0x2e;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;
/** Below 10^15 every integer is exact in a double (2^53 is about 9 * 10^15). */
const MAX_PLAIN_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: MAX_PLAIN_DIGITS + 1 }, (_, i) => 10 ** i);

/**
 * The common case, read with integer arithmetic: ASCII digits with at most one separator, no surrounding
 * whitespace, no more decimals than the currency has, at most 15 digits once padded to the currency's decimals.
 * Anything else is -1 and left to the exact reading above, which also words the errors.
 */
function plainMinorUnits(text: string, decimals: number, separator: number): number {
  const length = text.length;
  if (length === 0 || length > MAX_PLAIN_DIGITS + 1 || decimals > MAX_PLAIN_DIGITS) return -1;
  let whole = 0;
  let wholeDigits = 0;
  let fraction = 0;
  let fractionDigits = 0;
  let separatorAt = -1;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= ZERO && code <= NINE) {
      if (separatorAt < 0) {
        whole = whole * 10 + (code - ZERO);
        wholeDigits += 1;
      } else if (fractionDigits < decimals) {
        fraction = fraction * 10 + (code - ZERO);
        fractionDigits += 1;
      } else if (code !== ZERO) {
        return -1;
      }
    } else if (code === separator && separatorAt < 0) {
      separatorAt = i;
    } else {
      return -1;
    }
  }
  if (wholeDigits === 0 && separatorAt === length - 1) return -1;
  if (wholeDigits === 0 && separatorAt < 0) return -1;
  if (wholeDigits + decimals > MAX_PLAIN_DIGITS) return -1;
  return whole * POWERS_OF_TEN[decimals] + fraction * POWERS_OF_TEN[decimals - fractionDigits];
}
