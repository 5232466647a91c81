import { currencyDecimals, parseMinorUnits } from '../amount';
import { type IsoDate, StatementParseError } from '../types';
import { type XmlElement, child, textAt } from './xml';

/** Typed readers for the camt value types the statement mapping needs; each names the element it failed on. */

export interface Money {
  /** Unsigned: camt carries the sign separately in CdtDbtInd. */
  minorUnits: number;
  currency: string;
}

/** An `Amt Ccy="EUR">12.34</Amt>` element; a missing or unreadable amount is an error, never a zero. */
export function readMoney(amount: XmlElement | undefined, what: string, parentLine: number): Money {
  if (amount === undefined || amount.text.trim() === '') {
    throw new StatementParseError(`${what} has no amount (Amt)`, parentLine);
  }
  const currency = amount.attributes.Ccy;
  if (currency === undefined) throw new StatementParseError(`${what} amount has no currency (Amt/@Ccy)`, amount.line);
  try {
    return { minorUnits: parseMinorUnits(amount.text, currencyDecimals(currency), '.'), currency };
  } catch (error) {
    if (!(error instanceof StatementParseError)) throw error;
    throw new StatementParseError(`${what}: ${error.message}`, amount.line);
  }
}

/** +1 for CRDT, -1 for DBIT (ISO 20022 CreditDebitCode); anything else leaves the sign unknown, so it is an error. */
export function readSign(parent: XmlElement, what: string): 1 | -1 {
  const indicator = textAt(parent, 'CdtDbtInd');
  if (indicator === 'CRDT') return 1;
  if (indicator === 'DBIT') return -1;
  const found = indicator === null ? 'none' : `"${indicator}"`;
  throw new StatementParseError(
    `${what} has no valid credit/debit indicator (CdtDbtInd CRDT or DBIT, found ${found})`,
    parent.line,
  );
}

/** Signed minor units; a debit of zero stays 0, as -0 compares unequal to 0 under Object.is (and so in tests). */
export function signed(sign: 1 | -1, money: Money): number {
  return money.minorUnits === 0 ? 0 : sign * money.minorUnits;
}

/** Minor units as people read money in a message, `EUR -12.30`, in the currency's own decimals. */
export function formatMoney(minorUnits: number, currency: string): string {
  const decimals = currencyDecimals(currency);
  const digits = String(Math.abs(minorUnits)).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = decimals === 0 ? '' : `.${digits.slice(digits.length - decimals)}`;
  return `${currency} ${minorUnits < 0 ? '-' : ''}${whole}${fraction}`;
}

/**
 * The calendar date of a DateAndDateTimeChoice (`Dt` or `DtTm`), exactly as the bank wrote it. A `DtTm` such as
 * 2024-01-01T00:30:00+01:00 is booked on January 1st at that bank; converting it to UTC would move it to
 * December 31st and into the wrong year.
 */
export function readDate(choice: XmlElement | undefined, what: string): IsoDate | null {
  const element = child(choice, 'Dt') ?? child(choice, 'DtTm');
  if (element === undefined) return null;
  const text = element.text.trim();
  const date = /^(\d{4})-(\d{2})-(\d{2})(?:$|T|[Z+-])/.exec(text);
  if (date === null || !isCalendarDate(Number(date[1]), Number(date[2]), Number(date[3]))) {
    throw new StatementParseError(`unreadable ${what} date "${text}"`, element.line);
  }
  return `${date[1]}-${date[2]}-${date[3]}`;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
