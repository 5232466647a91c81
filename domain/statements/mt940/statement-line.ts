import { type IsoDate, type ParseWarning, StatementParseError } from '../types';
import { signed, swiftAmount } from './amount';
import { isCapital, isDigit, trimmed } from './chars';
import { entryDateAt, swiftDateAt } from './dates';
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

/*
 * The field is `^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?([^A-Z]*)(.*)$`: value date, optional entry date, mark (C, D,
 * RC, RD), optional funds code, amount, and then `^([NSF][A-Z0-9 ]{3})(.*)$`: transaction type and references.
 * The amount is everything up to the transaction type's letter and is checked by swiftAmount, so a garbled amount
 * is reported as one. It is read here by position, which that pattern allows without any backtracking: digits
 * are never a mark, and a mark or funds code is taken whenever it is there.
 */

/** SWIFT's customer reference is 16 characters; old Rabobank files pad it and put the counterparty name after it. */
const REFERENCE_WIDTH = 16;
const ENTRY_DATE_AT = 6;
const TRANSACTION_TYPE_LENGTH = 4;

const SPACE = 0x20;
const UPPER_C = 0x43;
const UPPER_D = 0x44;
const UPPER_R = 0x52;

export function emptyStatementLine(): StatementLine {
  return {
    valueDate: '',
    bookingDate: '',
    amountCents: 0,
    transactionType: '',
    customerReference: null,
    bankReference: null,
    supplementaryDetails: null,
  };
}

/**
 * Reads the field into `target` (one object serves a whole file). `value` is the field's first line, as a tag
 * line holds it: without line terminators, so the pattern's `.*` matches whatever follows the amount.
 * `supplementary` is the continuation lines of the field (subfield 9), each trimmed, the empty ones left out,
 * joined by a space. What was read generously (swiftAmount) is said in `warnings`.
 */
export function readStatementLine(
  target: StatementLine,
  value: string,
  supplementary: string,
  currency: string,
  line: number,
  warnings: ParseWarning[],
): void {
  const field = value.trimEnd();
  const length = field.length;
  let at = digitsUntil(field, 0, 6);
  if (at !== 6) throw unreadable(value, line);
  const hasEntryDate = digitsUntil(field, ENTRY_DATE_AT, ENTRY_DATE_AT + 4) === ENTRY_DATE_AT + 4;
  if (hasEntryDate) at += 4;
  // A reversal of a credit (RC) takes money out, a debit; a reversal of a debit (RD) puts it back, a credit.
  let isDebit: boolean;
  const mark = field.charCodeAt(at);
  const reversed = mark === UPPER_R ? field.charCodeAt(at + 1) : -1;
  if (reversed === UPPER_C || reversed === UPPER_D) {
    isDebit = reversed === UPPER_C;
    at += 2;
  } else if (mark === UPPER_C || mark === UPPER_D) {
    isDebit = mark === UPPER_D;
    at += 1;
  } else {
    throw unreadable(value, line);
  }
  // The funds code, a capital letter, is not part of the output.
  if (isCapital(field.charCodeAt(at))) at += 1;
  const amountStart = at;
  while (at < length && !isCapital(field.charCodeAt(at))) at++;
  const rest = at;
  if (!isTransactionType(field, rest)) {
    throw new StatementParseError(
      `statement line :61: ${quoted(value)} has no transaction type after the amount (expected e.g. NTRF or N426)`,
      line,
    );
  }
  const valueDate = swiftDateAt(field, 0, line);
  // The references: customer//bank, or a padded customer reference with the supplementary details after it.
  const referencesStart = rest + TRANSACTION_TYPE_LENGTH;
  const separator = field.indexOf('//', referencesStart);
  let customer: string;
  let bank: string | null = null;
  let details = supplementary;
  if (separator >= 0) {
    // NONREF//, the usual customer reference, is not cut out only to be dropped.
    const isNonref = separator === referencesStart + NONREF.length && field.startsWith(NONREF, referencesStart);
    customer = isNonref ? '' : field.slice(referencesStart, separator);
    bank = field.slice(separator + 2);
  } else if (
    length - referencesStart > REFERENCE_WIDTH &&
    field.charCodeAt(referencesStart + REFERENCE_WIDTH - 1) === SPACE
  ) {
    customer = field.slice(referencesStart, referencesStart + REFERENCE_WIDTH);
    const inline = field.slice(referencesStart + REFERENCE_WIDTH).trim();
    if (inline !== '') details = details === '' ? inline : `${inline} ${details}`;
  } else {
    customer = field.slice(referencesStart);
  }
  const bookingDate = hasEntryDate ? entryDateAt(field, ENTRY_DATE_AT, valueDate, line) : valueDate;
  const amountCents = signed(swiftAmount(field.slice(amountStart, rest), currency, line, warnings), isDebit);
  target.valueDate = valueDate;
  target.bookingDate = bookingDate;
  target.amountCents = amountCents;
  target.transactionType = transactionType(field, rest);
  target.customerReference = reference(customer);
  target.bankReference = bank === null ? null : reference(bank);
  target.supplementaryDetails = details === '' ? null : details;
}

/**
 * Rule wrapped :61:: whether the field's first line ends before its transaction type could, as where an export wraps
 * at a fixed width inside the dates or the amount (`2401150115C1` + `0,00NTRFNONREF`). Only then is the next line
 * the rest of the field rather than its supplementary details. The line is followed as readStatementLine reads it;
 * a line that breaks that reading elsewhere is not cut but garbled, and left to readStatementLine to refuse.
 */
export function endsBeforeTransactionType(value: string): boolean {
  const field = value.trimEnd();
  const length = field.length;
  let at = digitsUntil(field, 0, ENTRY_DATE_AT + 4);
  if (at === length) return true;
  if (at !== ENTRY_DATE_AT && at !== ENTRY_DATE_AT + 4) return false;
  if (field.charCodeAt(at) === UPPER_R) at += 1;
  if (at === length) return true;
  const mark = field.charCodeAt(at);
  if (mark !== UPPER_C && mark !== UPPER_D) return false;
  at += 1;
  if (isCapital(field.charCodeAt(at))) at += 1;
  while (at < length && !isCapital(field.charCodeAt(at))) at++;
  return length - at < TRANSACTION_TYPE_LENGTH;
}

function unreadable(value: string, line: number): StatementParseError {
  return new StatementParseError(
    `unreadable statement line :61: ${quoted(value)} ` +
      '(expected value date YYMMDD, optional entry date MMDD, C, D, RC or RD, and an amount)',
    line,
  );
}

/** Where the run of ASCII digits from `start` ends, looking no further than `end`. */
function digitsUntil(text: string, start: number, end: number): number {
  let at = start;
  while (at < end) {
    if (!isDigit(text.charCodeAt(at))) break;
    at++;
  }
  return at;
}

/** `[NSF][A-Z0-9 ]{3}` */
function isTransactionType(text: string, at: number): boolean {
  const first = text.charCodeAt(at);
  if (first !== 0x4e && first !== 0x53 && first !== 0x46) return false;
  for (let i = at + 1; i < at + TRANSACTION_TYPE_LENGTH; i++) {
    const code = text.charCodeAt(i);
    if (!(isCapital(code) || isDigit(code) || code === SPACE)) return false;
  }
  return true;
}

/**
 * A file uses a handful of transaction types: the ones seen are shared rather than cut out of every line again,
 * by their four characters (capitals, digits, spaces) as one number.
 */
const TRANSACTION_TYPES = new Map<number, string>();
const MAX_TRANSACTION_TYPES = 256;

function transactionType(text: string, at: number): string {
  const key =
    text.charCodeAt(at) * 0x1000000 +
    text.charCodeAt(at + 1) * 0x10000 +
    text.charCodeAt(at + 2) * 0x100 +
    text.charCodeAt(at + 3);
  const known = TRANSACTION_TYPES.get(key);
  if (known !== undefined) return known;
  const type = text.slice(at, at + TRANSACTION_TYPE_LENGTH).trim();
  if (TRANSACTION_TYPES.size < MAX_TRANSACTION_TYPES) TRANSACTION_TYPES.set(key, type);
  return type;
}

const NONREF = 'NONREF';

/** NONREF is SWIFT's way of saying there is no reference. */
function reference(text: string): string | null {
  const value = trimmed(text);
  // Only a 6-character text upper-cases to NONREF (upper case of ß, ﬀ, ... is longer, never shorter).
  return value === '' || (value.length === NONREF.length && value.toUpperCase() === NONREF) ? null : value;
}
