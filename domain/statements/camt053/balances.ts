import { type Balance, type ParseWarning, StatementParseError } from '../types';
import { formatMoney } from './values';

/**
 * A statement's opening and closing balance against its entries. The balance is the bank's own check on the
 * entries: where both are given, opening + entries must equal closing, or an entry is missing or misread and the
 * file is refused whole. A balance the file leaves out is computed from the other where it can be, and said so;
 * the balance also tells which way a bank writes its reversals.
 */

export interface ChainEntry {
  amountCents: number;
  bookingDate: string;
  reversal: boolean;
  indicator: 'CRDT' | 'DBIT';
  /** As warnings name it: `entry <AcctSvcrRef>` or `entry at line <n>`. */
  name: string;
  line: number;
}

export interface ChainStatement {
  /** `statement <Id>` or `statement at line <n>`. */
  name: string;
  line: number;
  currency: string;
  opening: Balance | null;
  closing: Balance | null;
  /** False when a balance is in another currency than the entries: then nothing can be added up. */
  comparable: boolean;
}

export interface SettledBalances {
  opening: Balance | null;
  closing: Balance | null;
  /** The bank wrote its reversals in the direction of what they reverse: their amounts are to be negated. */
  flipReversals: boolean;
  warnings: ParseWarning[];
}

export function settleBalances(statement: ChainStatement, entries: readonly ChainEntry[]): SettledBalances {
  const { opening, closing } = statement;
  const total = entries.reduce((sum, e) => sum + e.amountCents, 0);
  if (!statement.comparable) {
    const missing = [opening === null ? 'opening' : null, closing === null ? 'closing' : null].filter(Boolean);
    const warnings = missing.map((which) =>
      statementWarning(statement, `has no ${which} balance, and it cannot be computed across currencies`),
    );
    return { opening, closing, flipReversals: false, warnings: [...warnings, ...unconfirmed(statement, entries)] };
  }
  if (opening !== null && closing !== null) {
    const flipReversals = checkedChain(statement, opening, closing, entries, total);
    return { opening, closing, flipReversals, warnings: flipReversals ? flipped(statement, entries) : [] };
  }
  const days = entries.map((e) => e.bookingDate).sort();
  if (opening !== null) {
    const computed = { date: days.at(-1) ?? opening.date, amountCents: opening.amountCents + total };
    const warning = computedWarning(statement, 'closing balance (CLBD)', 'opening', computed);
    return {
      opening,
      closing: computed,
      flipReversals: false,
      warnings: [warning, ...unconfirmed(statement, entries)],
    };
  }
  if (closing !== null) {
    const computed = { date: days[0] ?? closing.date, amountCents: closing.amountCents - total };
    const warning = computedWarning(statement, 'opening balance (OPBD or PRCD)', 'closing', computed);
    return {
      opening: computed,
      closing,
      flipReversals: false,
      warnings: [warning, ...unconfirmed(statement, entries)],
    };
  }
  const warning = statementWarning(
    statement,
    'has no balances (OPBD, PRCD or CLBD): its entries are read, its balances stay unknown',
  );
  return {
    opening: null,
    closing: null,
    flipReversals: false,
    warnings: [warning, ...unconfirmed(statement, entries)],
  };
}

/**
 * True when the balance closes only with the reversals read the other way: some banks, against the ISO 20022
 * usage rule, give a reversal the CdtDbtInd of the booking it reverses, and their balance shows it.
 */
function checkedChain(
  statement: ChainStatement,
  opening: Balance,
  closing: Balance,
  entries: readonly ChainEntry[],
  total: number,
): boolean {
  if (opening.amountCents + total === closing.amountCents) return false;
  const reversals = entries.filter((e) => e.reversal).reduce((sum, e) => sum + e.amountCents, 0);
  if (reversals !== 0 && opening.amountCents + total - 2 * reversals === closing.amountCents) return true;
  const money = (cents: number): string => formatMoney(cents, statement.currency);
  const sum = opening.amountCents + total;
  throw new StatementParseError(
    `${statement.name} does not balance: opening ${money(opening.amountCents)} + entries ${money(total)} = ` +
      `${money(sum)}, but its closing balance is ${money(closing.amountCents)}, a difference of ` +
      `${money(Math.abs(closing.amountCents - sum))}; an entry is missing or misread, so nothing of the file is ` +
      'imported',
    statement.line,
  );
}

/** What a reversal written in its original's direction becomes: said per entry, as each was read the other way. */
function flipped(statement: ChainStatement, entries: readonly ChainEntry[]): ParseWarning[] {
  return entries
    .filter((e) => e.reversal)
    .map((e) => ({
      line: e.line,
      message:
        `${e.name} is a reversal (RvslInd) marked ${e.indicator}, the direction of the booking it reverses, ` +
        `against the ISO 20022 usage rule: booked as a ${e.indicator === 'CRDT' ? 'debit' : 'credit'}, since ` +
        `only so does ${statement.name}'s balance close`,
    }));
}

/** Without both balances nothing shows which way the bank writes reversals: the ISO rule is assumed. */
function unconfirmed(statement: ChainStatement, entries: readonly ChainEntry[]): ParseWarning[] {
  return entries
    .filter((e) => e.reversal)
    .map((e) => ({
      line: e.line,
      message:
        `${e.name} is a reversal (RvslInd) marked ${e.indicator}: read as the direction of the reversal itself ` +
        `(the ISO 20022 usage rule), which no balance of ${statement.name} can confirm`,
    }));
}

function computedWarning(statement: ChainStatement, missing: string, from: string, computed: Balance): ParseWarning {
  return statementWarning(
    statement,
    `has no ${missing}: computed from the ${from} balance and the entries as ` +
      `${formatMoney(computed.amountCents, statement.currency)} on ${computed.date}`,
  );
}

function statementWarning(statement: ChainStatement, message: string): ParseWarning {
  return { line: statement.line, message: `${statement.name} ${message}` };
}
