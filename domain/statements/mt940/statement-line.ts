import { StatementParseError, type IsoDate } from '../types';
import { signed, swiftAmount } from './amount';
import { entryDate, swiftDate } from './dates';
import { quoted } from './quote';

/** Field :61:, the statement line: one booked entry. */
export interface StatementLine {
  valueDate: IsoDate;
  /** The entry date, or the value date when the bank left it out. */
  bookingDate: IsoDate;
  amountCents: number;
  /** Transaction type identification: N, F or S and three characters, e.g. NTRF, N426, NIOB. */
  transactionType: string;
  customerReference: string | null;
  bankReference: string | null;
  /** Subfield 9, usually the second line: the counter-account (Rabobank), its name (SNS) or /TRCD/ (ING). */
  supplementaryDetails: string | null;
}

/**
 * Value date, optional entry date, mark (C, D, RC, RD), optional funds code, amount, transaction type, references.
 * The amount is everything up to the transaction type's letter and is checked by swiftAmount, so a garbled
 * amount is reported as one.
 */
const STATEMENT_LINE = /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?([^A-Z]*)(.*)$/;
const TRANSACTION_TYPE = /^([NSF][A-Z0-9 ]{3})(.*)$/;

/** SWIFT's customer reference is 16 characters; old Rabobank files pad it and put the counterparty name after it. */
const REFERENCE_WIDTH = 16;

/** A reversal of a credit takes money out (debit); a reversal of a debit puts it back (credit). */
const DEBIT_MARKS = new Set(['D', 'RC']);

export function parseStatementLine(
  value: string,
  supplementaryLines: readonly string[],
  currency: string,
  line: number,
): StatementLine {
  const match = STATEMENT_LINE.exec(value.trimEnd());
  if (!match) {
    throw new StatementParseError(
      `unreadable statement line :61: ${quoted(value)} ` +
        '(expected value date YYMMDD, optional entry date MMDD, C, D, RC or RD, and an amount)',
      line,
    );
  }
  const [, valueDateText, entryDateText, mark, , amountText, rest] = match;
  const typed = TRANSACTION_TYPE.exec(rest);
  if (!typed) {
    throw new StatementParseError(
      `statement line :61: ${quoted(value)} has no transaction type after the amount (expected e.g. NTRF or N426)`,
      line,
    );
  }
  const valueDate = swiftDate(valueDateText, line);
  const references = splitReferences(typed[2]);
  const supplementary = [references.inlineDetails, ...supplementaryLines]
    .map((text) => text?.trim())
    .filter((text): text is string => Boolean(text))
    .join(' ');
  return {
    valueDate,
    bookingDate: entryDateText === undefined ? valueDate : entryDate(entryDateText, valueDate, line),
    amountCents: signed(swiftAmount(amountText, currency, line), DEBIT_MARKS.has(mark)),
    transactionType: typed[1].trim(),
    customerReference: reference(references.customer),
    bankReference: reference(references.bank),
    supplementaryDetails: supplementary === '' ? null : supplementary,
  };
}

function splitReferences(text: string): { customer: string; bank: string | null; inlineDetails: string | null } {
  const separator = text.indexOf('//');
  if (separator >= 0) {
    return { customer: text.slice(0, separator), bank: text.slice(separator + 2), inlineDetails: null };
  }
  const padded = text.length > REFERENCE_WIDTH && text[REFERENCE_WIDTH - 1] === ' ';
  return padded
    ? { customer: text.slice(0, REFERENCE_WIDTH), bank: null, inlineDetails: text.slice(REFERENCE_WIDTH) }
    : { customer: text, bank: null, inlineDetails: null };
}

/** NONREF is SWIFT's way of saying there is no reference. */
function reference(text: string | null): string | null {
  const trimmed = text?.trim() ?? '';
  return trimmed === '' || trimmed.toUpperCase() === 'NONREF' ? null : trimmed;
}
