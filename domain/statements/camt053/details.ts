import { type XmlElement, child, childrenNamed, textAt } from './xml';

/**
 * What one `TxDtls` (transaction details) says about a payment: the other side, the payer's reference and text.
 * A single booking takes them as its own fields; a batch lists them per item (batch.ts).
 */

export type Role = 'Dbtr' | 'Cdtr';

export interface Counterparty {
  iban: string | null;
  name: string | null;
}

export function normaliseIban(iban: string | null): string | null {
  return iban === null ? null : iban.replace(/\s+/g, '').toUpperCase();
}

/**
 * The other side is the debtor of a credit and the creditor of a debit. A reversal undoes an operation in the
 * opposite direction and banks keep that original's roles (a returned collection still names its debtor as
 * Dbtr), so the original role is tried first, then the entry's own.
 */
export function counterpartyRoles(sign: 1 | -1, reversal: boolean): Role[] {
  const own: Role = sign > 0 ? 'Dbtr' : 'Cdtr';
  const original: Role = sign > 0 ? 'Cdtr' : 'Dbtr';
  return reversal ? [original, own] : [own];
}

/** `ownAccount` (normalised IBAN) keeps the account holder from being reported as its own counterparty. */
export function readCounterparty(tx: XmlElement | undefined, roles: Role[], ownAccount: string | null): Counterparty {
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

export function endToEndId(tx: XmlElement | undefined): string | null {
  const id = textAt(tx, 'Refs', 'EndToEndId');
  // NOTPROVIDED is the SEPA placeholder for "the payer gave none"; as an id it would make unrelated payments equal.
  return id === null || id.toUpperCase() === 'NOTPROVIDED' ? null : id;
}

/** What the payer wrote (Ustrd) and the structured payment reference (betalingskenmerk) it may carry instead. */
export function remittance(tx: XmlElement | undefined): string {
  const information = child(tx, 'RmtInf');
  const unstructured = childrenNamed(information, 'Ustrd').map((u) => u.text.trim());
  const references = childrenNamed(information, 'Strd').map((s) => textAt(s, 'CdtrRefInf', 'Ref') ?? '');
  return [...unstructured, ...references].filter((part) => part !== '').join(' ');
}

/** An amount element as the bank wrote it (`EUR 25.00`), for text; null when it has no amount. */
export function writtenAmount(amount: XmlElement | undefined): string | null {
  const value = amount?.text.trim();
  if (amount === undefined || !value) return null;
  const currency = amount.attributes.Ccy;
  return currency === undefined ? value : `${currency} ${value}`;
}
