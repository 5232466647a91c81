import { StatementParseError, type Balance } from '../types';
import { signed, swiftAmount } from './amount';
import { swiftDate } from './dates';
import { quoted } from './quote';

/** A balance field (:60F:, :60M:, :62F:, :62M:, :64:, :65:) with the currency it is written in. */
export interface SwiftBalance extends Balance {
  currency: string;
}

const BALANCE = /^([CD])(\d{6})([A-Z]{3})(.*)$/;

/** `C110522EUR3236,28`: credit/debit mark, date YYMMDD, ISO currency, amount. A debit balance is negative. */
export function parseBalance(tag: string, value: string, line: number): SwiftBalance {
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
    amountCents: signed(swiftAmount(amount, currency, line), mark === 'D'),
  };
}
