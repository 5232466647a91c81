/**
 * The balance chain of daily statements: each opening equals the previous closing, and opening + the sum of the
 * day's transactions equals the closing. Breaks are reported, never silently fixed.
 */
export interface StatementBalances {
  date: string;
  openingBalanceCents: number | null;
  closingBalanceCents: number | null;
  sumCents: number;
}

export interface ChainBreak {
  date: string;
  problem: string;
}

export function balanceChainBreaks(statements: readonly StatementBalances[]): ChainBreak[] {
  const breaks: ChainBreak[] = [];
  let previousClosing: number | null = null;
  for (const statement of [...statements].sort((a, b) => a.date.localeCompare(b.date))) {
    const { openingBalanceCents: opening, closingBalanceCents: closing } = statement;
    if (opening !== null && previousClosing !== null && opening !== previousClosing) {
      breaks.push({
        date: statement.date,
        problem: `opening balance ${cents(opening)} differs from the previous closing balance ${cents(previousClosing)}`,
      });
    }
    if (opening !== null && closing !== null && opening + statement.sumCents !== closing) {
      breaks.push({
        date: statement.date,
        problem: `opening ${cents(opening)} + transactions ${cents(statement.sumCents)} = ${cents(opening + statement.sumCents)}, but the closing balance is ${cents(closing)}`,
      });
    }
    previousClosing = closing ?? (opening !== null ? opening + statement.sumCents : null);
  }
  return breaks;
}

function cents(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
