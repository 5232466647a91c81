import { type StatementEntry, StatementParseError } from '../types';
import { readDate, readMoney, readSign, signed } from './values';
import { type XmlElement, child, childrenNamed, textAt } from './xml';

/**
 * One `Ntry` (a booking on the account) to one StatementEntry. The entry, not its transaction details, is what
 * the balance sees, so a batch stays one entry with the batch total.
 */

export type EntryDraft = Omit<StatementEntry, 'dedupeKey'>;

export interface EntryReading {
  entry: EntryDraft;
  reversal: boolean;
  line: number;
}

type Role = 'Dbtr' | 'Cdtr';

interface Counterparty {
  iban: string | null;
  name: string | null;
}

/** `Sts` is plain text up to .04 and a code choice (`Sts/Cd`, `Sts/Prtry`) from .08 on. */
export function entryStatus(ntry: XmlElement): string | null {
  return textAt(ntry, 'Sts', 'Cd') ?? textAt(ntry, 'Sts', 'Prtry') ?? textAt(ntry, 'Sts');
}

/** `ownAccount` (normalised IBAN) keeps the account holder from being reported as its own counterparty. */
export function readEntry(ntry: XmlElement, ownAccount: string | null): EntryReading {
  const money = readMoney(child(ntry, 'Amt'), 'entry', ntry.line);
  // ISO 20022 RvslInd usage rule: CdtDbtInd is the direction of the reversal booking itself ("if CRDT and
  // ReversalIndicator is Yes, the original operation was a debit"), so it is not flipped again here; doing so
  // would count every reversal twice and break the balance chain.
  const sign = readSign(ntry, 'entry');
  const reversal = isTrue(textAt(ntry, 'RvslInd'));
  const details = childrenNamed(ntry, 'NtryDtls');
  const transactions = details.flatMap((d) => childrenNamed(d, 'TxDtls'));
  const size = batchSize(details, transactions.length);
  const described =
    size > 1
      ? batchFields(ntry, details, size)
      : singleFields(ntry, transactions[0], counterpartyRoles(sign, reversal), ownAccount);
  return {
    entry: { ...entryDates(ntry), amountCents: signed(sign, money), currency: money.currency, ...described },
    reversal,
    line: ntry.line,
  };
}

type DescribedFields = Omit<EntryDraft, 'bookingDate' | 'valueDate' | 'amountCents' | 'currency'>;

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
    bankReference: textAt(ntry, 'AcctSvcrRef') ?? textAt(tx, 'Refs', 'AcctSvcrRef'),
    bankTransactionCode: bankTransactionCode(child(ntry, 'BkTxCd')) ?? bankTransactionCode(child(tx, 'BkTxCd')),
  };
}

/** A booking of many payments: no single other side, and an item's references name one payment, not the booking. */
function batchFields(ntry: XmlElement, details: XmlElement[], size: number): DescribedFields {
  const paymentInformationIds = details
    .map((d) => textAt(d, 'Btch', 'PmtInfId'))
    .filter((id): id is string => id !== null);
  const heading = [`Batch of ${size} transactions`, ...paymentInformationIds.map((id) => `PmtInfId ${id}`)].join(', ');
  const information = textAt(ntry, 'AddtlNtryInf');
  return {
    counterpartyIban: null,
    counterpartyName: null,
    description: information === null ? heading : `${heading}: ${information}`,
    endToEndId: null,
    bankReference: textAt(ntry, 'AcctSvcrRef'),
    bankTransactionCode: bankTransactionCode(child(ntry, 'BkTxCd')),
  };
}

export function normaliseIban(iban: string | null): string | null {
  return iban === null ? null : iban.replace(/\s+/g, '').toUpperCase();
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

/** Banks that book a batch as one amount state its size in `Btch/NbOfTxs`, often without listing the items. */
function batchSize(details: XmlElement[], listed: number): number {
  const declared = details
    .map((d) => textAt(d, 'Btch', 'NbOfTxs'))
    .filter((n): n is string => n !== null && /^\d+$/.test(n))
    .map(Number);
  return declared.length > 0 ? declared.reduce((a, b) => a + b, 0) : listed;
}

/**
 * The other side is the debtor of a credit and the creditor of a debit. A reversal undoes an operation in the
 * opposite direction and banks keep that original's roles (a returned collection still names its debtor as
 * Dbtr), so the original role is tried first, then the entry's own.
 */
function counterpartyRoles(sign: 1 | -1, reversal: boolean): Role[] {
  const own: Role = sign > 0 ? 'Dbtr' : 'Cdtr';
  const original: Role = sign > 0 ? 'Cdtr' : 'Dbtr';
  return reversal ? [original, own] : [own];
}

function readCounterparty(tx: XmlElement | undefined, roles: Role[], ownAccount: string | null): Counterparty {
  const parties = child(tx, 'RltdPties');
  for (const role of roles) {
    const iban = normaliseIban(textAt(parties, `${role}Acct`, 'Id', 'IBAN'));
    const name = partyName(parties, role) ?? partyName(parties, `Ultmt${role}`);
    if ((iban !== null || name !== null) && (iban === null || iban !== ownAccount)) return { iban, name };
  }
  return { iban: null, name: null };
}

/** Up to .04 a party is `Dbtr/Nm`; from .08 on it is wrapped as `Dbtr/Pty/Nm`. */
function partyName(parties: XmlElement | undefined, role: string): string | null {
  return textAt(parties, role, 'Nm') ?? textAt(parties, role, 'Pty', 'Nm');
}

function endToEndId(tx: XmlElement | undefined): string | null {
  const id = textAt(tx, 'Refs', 'EndToEndId');
  // NOTPROVIDED is the SEPA placeholder for "the payer gave none"; as an id it would make unrelated payments equal.
  return id === null || id.toUpperCase() === 'NOTPROVIDED' ? null : id;
}

/** ISO domain code as `Domain/Family/SubFamily` (PMNT/RCDT/ESCT), else the bank's proprietary code. */
function bankTransactionCode(code: XmlElement | undefined): string | null {
  const domain = child(code, 'Domn');
  const parts = [textAt(domain, 'Cd'), textAt(domain, 'Fmly', 'Cd'), textAt(domain, 'Fmly', 'SubFmlyCd')];
  if (parts.every((p) => p !== null)) return parts.join('/');
  return textAt(code, 'Prtry', 'Cd');
}

/** What the payer wrote (Ustrd) and the structured payment reference (betalingskenmerk) it may carry instead. */
function remittance(tx: XmlElement | undefined): string {
  const information = child(tx, 'RmtInf');
  const unstructured = childrenNamed(information, 'Ustrd').map((u) => u.text.trim());
  const references = childrenNamed(information, 'Strd').map((s) => textAt(s, 'CdtrRefInf', 'Ref') ?? '');
  return [...unstructured, ...references].filter((part) => part !== '').join(' ');
}
