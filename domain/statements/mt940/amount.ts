import { currencyDecimals, parseMinorUnits } from '../amount';
import { type ParseWarning, StatementParseError } from '../types';
import { quoted } from './quote';

/** SWIFT amounts (15d) have at most 15 characters, decimal comma included. */
const SWIFT_AMOUNT_LENGTH = 15;
/** Leading zeros that are not the one before the decimal mark. */
const PADDING_ZEROS = /^0+(?=\d)/;

/**
 * An MT940 amount in minor units of its currency. SWIFT prescribes the decimal comma ("1234,56", "1234,");
 * old Rabobank exports write a point instead. MT940 has no thousands separators, so either mark is unambiguous,
 * but one of them must be there: "500" without it is how a truncated or garbled amount looks.
 *
 * Rule zero-padding: some exports pad amounts with zeros to a fixed width beyond SWIFT's 15 characters. Leading
 * zeros change no amount, so such an amount is read without them (with a warning in `warnings` naming the line);
 * only the digits that remain are held to the 15 characters.
 */
export function swiftAmount(text: string, currency: string, line: number, warnings: ParseWarning[]): number {
  const separator = text.includes(',') ? ',' : '.';
  const amount = text.length > SWIFT_AMOUNT_LENGTH ? text.replace(PADDING_ZEROS, '') : text;
  if (!text.includes(separator) || amount.length > SWIFT_AMOUNT_LENGTH) {
    throw new StatementParseError(
      `unreadable amount ${quoted(text)} (an MT940 amount has up to 15 characters with a decimal comma: "1234,56")`,
      line,
    );
  }
  if (amount !== text) {
    warnings.push({
      line,
      message: `amount ${quoted(text)} is zero-padded past the 15 characters of SWIFT; read as ${amount}`,
    });
  }
  try {
    return parseMinorUnits(amount, decimalsOf(currency), separator);
  } catch (error) {
    if (error instanceof StatementParseError) throw new StatementParseError(error.message, line);
    throw error;
  }
}

/** A file holds one currency, or a few: the decimals of the last one are kept. */
let lastCurrency: string | null = null;
let lastDecimals = 0;

function decimalsOf(currency: string): number {
  if (currency !== lastCurrency) {
    lastDecimals = currencyDecimals(currency);
    lastCurrency = currency;
  }
  return lastDecimals;
}

/** Applies a debit sign without ever producing -0, which equality checks and JSON treat differently from 0. */
export function signed(minorUnits: number, isDebit: boolean): number {
  return isDebit && minorUnits !== 0 ? -minorUnits : minorUnits;
}
