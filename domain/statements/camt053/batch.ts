import { type Role, endToEndId, readCounterparty, remittance, writtenAmount } from './details';
import { type XmlElement, child, textAt } from './xml';

/**
 * An entry that books several payments at once (a salary run, a collection batch) stays ONE transaction with the
 * entry's amount: that is how the bank booked it, what the balance sees, and how the bank's API reports it, so the
 * switch-over dedupe compares a file's batch with the API's batch. Its items are kept in the description, the one
 * free-text field a transaction has (no length limit in the books, searched and read when reconciling): split
 * into transactions of their own they would book money the account never moved one by one.
 */

export interface BatchFields {
  counterpartyIban: null;
  counterpartyName: null;
  description: string;
  endToEndId: null;
  /** Said in the parse result's warnings after the entry's name. */
  note: string;
}

const ITEM_SEPARATOR = ' | ';

/** Banks that book a batch as one amount state its size in `Btch/NbOfTxs`, often without listing the items. */
export function batchSize(details: XmlElement[], listed: number): number {
  const declared = details
    .map((d) => textAt(d, 'Btch', 'NbOfTxs'))
    .filter((n): n is string => n !== null && /^\d+$/.test(n))
    .map(Number);
  return declared.length > 0 ? declared.reduce((a, b) => a + b, 0) : listed;
}

/** No single other side and no single end-to-end id: an item's references name one payment, not the booking. */
export function batchFields(
  ntry: XmlElement,
  details: XmlElement[],
  transactions: XmlElement[],
  size: number,
  roles: Role[],
  ownAccount: string | null,
): BatchFields {
  const paymentInformationIds = details
    .map((d) => textAt(d, 'Btch', 'PmtInfId'))
    .filter((id): id is string => id !== null);
  const heading = [`Batch of ${size} transactions`, ...paymentInformationIds.map((id) => `PmtInfId ${id}`)].join(', ');
  const information = textAt(ntry, 'AddtlNtryInf');
  const items = transactions.map((tx) => batchItem(tx, roles, ownAccount)).filter((item) => item !== '');
  const listed = items.length > 0 ? 'its items listed in the description' : 'the file lists none of its items';
  return {
    counterpartyIban: null,
    counterpartyName: null,
    description: [information === null ? heading : `${heading}: ${information}`, ...items].join(ITEM_SEPARATOR),
    endToEndId: null,
    note:
      `books ${size} transactions at once: kept as one transaction with the entry's amount, as the bank books ` +
      `it, ${listed}`,
  };
}

/** Who, which account, how much, what for and the payer's id: what staff need to match the item. */
function batchItem(tx: XmlElement, roles: Role[], ownAccount: string | null): string {
  const counterparty = readCounterparty(tx, roles, ownAccount);
  // TxAmt is the item's amount in .02; from .04 on TxDtls carries Amt itself.
  const amount = writtenAmount(child(tx, 'AmtDtls', 'TxAmt', 'Amt') ?? child(tx, 'Amt'));
  const text = remittance(tx) || textAt(tx, 'AddtlTxInf');
  return [counterparty.name, counterparty.iban, amount, text, endToEndId(tx)]
    .filter((part): part is string => part !== null && part !== '')
    .join(', ');
}
