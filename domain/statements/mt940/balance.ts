import { type Balance, type ParseWarning, StatementParseError } from '../types';
import { signed, swiftAmount } from './amount';
import { swiftDate } from './dates';
import { quoted } from './quote';

/** A balance field (:60F:, :60M:, :62F:, :62M:, :64:, :65:) with the currency it is written in. */
export interface SwiftBalance extends Balance {
  currency: string;
}

const BALANCE = /^([CD])(\d{6})([A-Z]{3})(.*)$/;

/**
 * `C110522EUR3236,28`: credit/debit mark, date YYMMDD, ISO currency, amount. A debit balance is negative. What
 * was read generously (swiftAmount) is said in `warnings`.
 */
export function parseBalance(tag: string, value: string, line: number, warnings: ParseWarning[]): SwiftBalance {
  const match = BALANCE.exec(value.trim());
  if (!match) {
    throw new StatementParseError(
      `unreadable balance :${tag}: ${quoted(value)} (expected C or D, YYMMDD, currency and amount: C110522EUR3236,28)`,
      line,
    );
  }
  const [, mark, date, currency, amount] = match;
  return {
    date: swiftDate(date, line),
    currency,
    amountCents: signed(swiftAmount(amount, currency, line, warnings), mark === 'D'),
  };
}

/** Mark, date, currency and an amount with its decimal mark: what a balance wrapped by its bank lacks. */
const COMPLETE_BALANCE = /^[CD]\d{6}[A-Z]{3}\d*[,.]\d*$/;

/** Whether a balance field's first line holds the whole balance, so that text on the next line cannot be part of it. */
export function isCompleteBalance(value: string): boolean {
  return COMPLETE_BALANCE.test(value.trim());
}
