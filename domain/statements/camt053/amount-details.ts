import { writtenAmount } from './details';
import { formatMoney, type Money } from './values';
import { type XmlElement, child } from './xml';

/**
 * A payment made in another currency than the account's (a USD invoice paid from a EUR account) carries the
 * other amounts in `AmtDtls`: what was instructed, transferred or counter-valued. The entry's own `Amt` is what
 * the account was booked for, what its balance moved by and what the bank's API reports, so it stays the amount;
 * the other currency is said in the warnings, not folded into the description, which the dedupe fingerprints.
 */

const KINDS = ['InstdAmt', 'TxAmt', 'CntrValAmt'] as const;

/** The first amount in another currency, entry level before transaction level; null when all are in `booked`'s. */
export function foreignAmountNote(ntry: XmlElement, tx: XmlElement | undefined, booked: Money): string | null {
  for (const [owner, path] of [
    [ntry, 'AmtDtls'],
    [tx, 'TxDtls/AmtDtls'],
  ] as const) {
    for (const kind of KINDS) {
      const amount = child(owner, 'AmtDtls', kind, 'Amt');
      const currency = amount?.attributes.Ccy;
      const written = writtenAmount(amount);
      if (currency === undefined || currency === booked.currency || written === null) continue;
      return (
        `was made in another currency, ${written} (${path}/${kind}): the amount booked in the account ` +
        `currency, ${formatMoney(booked.minorUnits, booked.currency)}, is its amount`
      );
    }
  }
  return null;
}
