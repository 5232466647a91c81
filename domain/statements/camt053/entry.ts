import { type StatementEntry, StatementParseError } from '../types';
import { foreignAmountNote } from './amount-details';
import { batchFields, batchSize } from './batch';
import { type Role, counterpartyRoles, endToEndId, readCounterparty, remittance } from './details';
import { readDate, readMoney, readSign, signed } from './values';
import { type XmlElement, child, childrenNamed, textAt } from './xml';

/**
 * One `Ntry` (a booking on the account) to one StatementEntry. The entry, not its transaction details, is what
 * the balance sees, so a batch stays one entry with the batch total (batch.ts).
 */

export type EntryDraft = Omit<StatementEntry, 'dedupeKey'>;

export interface EntryReading {
  entry: EntryDraft;
  reversal: boolean;
  /** The entry's CdtDbtInd as written; a reversal's may yet be read the other way (balances.ts). */
  indicator: 'CRDT' | 'DBIT';
  line: number;
  /** What was assumed in reading it, said after the entry's name in the parse result's warnings. */
  notes: string[];
}

/** `Sts` is plain text up to .04 and a code choice (`Sts/Cd`, `Sts/Prtry`) from .08 on. */
export function entryStatus(ntry: XmlElement): string | null {
  return textAt(ntry, 'Sts', 'Cd') ?? textAt(ntry, 'Sts', 'Prtry') ?? textAt(ntry, 'Sts');
}

/**
 * `ownAccount` (normalised IBAN) keeps the account holder from being reported as its own counterparty.
 * `NtryRef` is not read: it is unique within one statement only (often 1, 2, 3), so as a dedupe key it would make
 * the entries of different days equal; `AcctSvcrRef` is the bank's id for the booking, as its API gives it.
 */
export function readEntry(ntry: XmlElement, ownAccount: string | null): EntryReading {
  const money = readMoney(child(ntry, 'Amt'), 'entry', ntry.line);
  // ISO 20022 RvslInd usage rule: CdtDbtInd is the direction of the reversal booking itself ("if CRDT and
  // ReversalIndicator is Yes, the original operation was a debit"), as genkgo/camt and camt-parser read it too;
  // a bank that writes the original's direction instead is recognised by its balance (balances.ts).
  const sign = readSign(ntry, 'entry');
  const reversal = isTrue(textAt(ntry, 'RvslInd'));
  const details = childrenNamed(ntry, 'NtryDtls');
  const transactions = details.flatMap((d) => childrenNamed(d, 'TxDtls'));
  const size = batchSize(details, transactions.length);
  const roles = counterpartyRoles(sign, reversal);
  const single = size > 1 ? undefined : transactions[0];
  const { note: batchNote, ...described } =
    size > 1
      ? batchFields(ntry, details, transactions, size, roles, ownAccount)
      : { ...singleFields(ntry, single, roles, ownAccount), note: null };
  const notes = [batchNote, foreignAmountNote(ntry, single, money)].filter((n): n is string => n !== null);
  return {
    entry: {
      ...entryDates(ntry),
      amountCents: signed(sign, money),
      currency: money.currency,
      ...described,
      bankReference: textAt(ntry, 'AcctSvcrRef') ?? textAt(single, 'Refs', 'AcctSvcrRef'),
      bankTransactionCode: bankTransactionCode(child(ntry, 'BkTxCd')) ?? bankTransactionCode(child(single, 'BkTxCd')),
    },
    reversal,
    indicator: sign > 0 ? 'CRDT' : 'DBIT',
    line: ntry.line,
    notes,
  };
}

type DescribedFields = Pick<EntryDraft, 'counterpartyIban' | 'counterpartyName' | 'description' | 'endToEndId'>;

/** A booking of one payment: its transaction details, where present, say who and what. */
function singleFields(
  ntry: XmlElement,
  tx: XmlElement | undefined,
  roles: Role[],
  ownAccount: string | null,
): DescribedFields {
  const counterparty = readCounterparty(tx, roles, ownAccount);
  return {
    counterpartyIban: counterparty.iban,
    counterpartyName: counterparty.name,
    description: remittance(tx) || (textAt(tx, 'AddtlTxInf') ?? textAt(ntry, 'AddtlNtryInf') ?? ''),
    endToEndId: endToEndId(tx),
  };
}

/** Either date stands in for the other: some banks leave out ValDt when it equals the booking date. */
function entryDates(ntry: XmlElement): { bookingDate: string; valueDate: string } {
  const bookingDate = readDate(child(ntry, 'BookgDt'), 'booking');
  const valueDate = readDate(child(ntry, 'ValDt'), 'value');
  if (bookingDate !== null) return { bookingDate, valueDate: valueDate ?? bookingDate };
  if (valueDate !== null) return { bookingDate: valueDate, valueDate };
  throw new StatementParseError('entry has neither a booking date (BookgDt) nor a value date (ValDt)', ntry.line);
}

function isTrue(indicator: string | null): boolean {
  return indicator === 'true' || indicator === '1';
}

/** ISO domain code as `Domain/Family/SubFamily` (PMNT/RCDT/ESCT), else the bank's proprietary code. */
function bankTransactionCode(code: XmlElement | undefined): string | null {
  const domain = child(code, 'Domn');
  const parts = [textAt(domain, 'Cd'), textAt(domain, 'Fmly', 'Cd'), textAt(domain, 'Fmly', 'SubFmlyCd')];
  if (parts.every((p) => p !== null)) return parts.join('/');
  return textAt(code, 'Prtry', 'Cd');
}
