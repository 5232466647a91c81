import type { ParseWarning } from '../types';
import { money } from './money';

/**
 * A statement's balances must chain: opening plus its entries is its closing, and its opening is the closing
 * of the account's previous statement. A break means entries are missing or the bank's file is inconsistent;
 * the entries read are still right, so the break is reported as a warning for a person to look at.
 */
export interface ChainedStatement {
  account: string;
  /** :28C: as written, and the line of the statement's :20:, to say which statement breaks the chain. */
  number: string | null;
  line: number;
  currency: string;
  opening: { amountCents: number; line: number };
  closing: { amountCents: number; line: number };
  entries: readonly { amountCents: number }[];
}

export function balanceChainWarnings(statements: readonly ChainedStatement[]): ParseWarning[] {
  const warnings: ParseWarning[] = [];
  const previousClosing = new Map<string, number>();
  for (const statement of statements) {
    const { account, currency, opening, closing } = statement;
    // One account number can hold several currencies (Rabobank, ING foreign currency accounts).
    const chain = `${account} ${currency}`;
    const previous = previousClosing.get(chain);
    if (previous !== undefined && previous !== opening.amountCents) {
      warnings.push({
        line: opening.line,
        message:
          `opening balance ${money(opening.amountCents, currency)} of ${account} does not continue ` +
          `the previous statement's closing balance ${money(previous, currency)}`,
      });
    }
    const expected = statement.entries.reduce((sum, entry) => sum + entry.amountCents, opening.amountCents);
    if (expected !== closing.amountCents) {
      const which =
        statement.number === null ? `the statement of line ${statement.line}` : `statement ${statement.number}`;
      warnings.push({
        line: closing.line,
        message:
          `closing balance ${money(closing.amountCents, currency)} of ${account} in ${which} (line ${statement.line}) ` +
          `differs from opening balance plus entries, ${money(expected, currency)}, ` +
          `by ${money(Math.abs(closing.amountCents - expected), currency)}`,
      });
    }
    previousClosing.set(chain, closing.amountCents);
  }
  return warnings;
}
