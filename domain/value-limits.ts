import { BANK_ID_PREFIX, DEDUPE_KEY_LENGTH } from './dedupe';

/**
 * The one rule for fitting a value from outside (a statement file, a bank's API) to the database, applied at the
 * edge, before ingest, the same way in both channels so their dedupe keys and fingerprints stay comparable (issue 12):
 *
 * - NUL (U+0000) is removed from every text: PostgreSQL stores it in neither text nor jsonb, and no bank means it.
 * - Free text, which people read and nothing is matched by, is shortened to its column with a warning that names
 *   the line or entry and the field: the payment is kept, only the tail of a name is lost.
 * - An identifier, by which a payment is matched or deduplicated, is refused when it cannot fit, naming the line
 *   or entry: a shortened one could make two payments one, or match the wrong invoice or rule.
 *
 * Limits are characters (code points), as PostgreSQL counts varchar, and come from the columns of bank_transaction
 * (db/entities/transaction.ts; migration 20261126160315_transactions). Keep them equal when a column changes.
 */

export type FieldKind = 'text' | 'identifier';

export interface FieldLimit {
  /** How a person names the field in a warning or refusal. */
  label: string;
  kind: FieldKind;
  /** Most characters the column holds; null for an unbounded text column. */
  max: number | null;
}

export const TRANSACTION_FIELD_LIMITS = {
  /** varchar(140): shown to people, matched by nothing. */
  counterpartyName: { label: 'counterparty name', kind: 'text', max: 140 },
  /** text: unbounded, so only NUL is removed; it is part of the fingerprint, which stays whole. */
  description: { label: 'description', kind: 'text', max: null },
  /**
   * varchar(60): where the bank writes its own code freely (camt Prtry, Berlin Group proprietary codes). A rule
   * made from a shortened code is made from the same shortened code on the next import, so rules keep matching.
   */
  bankTransactionCode: { label: 'bank transaction code', kind: 'text', max: 60 },
  /** varchar(34), ISO 13616's most: matched by transaction-code rules and part of the fingerprint. */
  counterpartyIban: { label: 'counterparty IBAN', kind: 'identifier', max: 34 },
  /** varchar(140): the payer's reference that invoices are matched by, and part of the fingerprint. */
  endToEndId: { label: 'end-to-end id', kind: 'identifier', max: 140 },
  /**
   * The dedupe key `bank:<reference>` is varchar(120), tighter than the bank_reference column's 140: two long
   * references cut to one key would drop the second payment as a duplicate.
   */
  bankReference: {
    label: 'bank reference',
    kind: 'identifier',
    max: Math.min(140, DEDUPE_KEY_LENGTH - BANK_ID_PREFIX.length),
  },
  /** varchar(3), ISO 4217: the amount means nothing in a currency we cannot name. */
  currency: { label: 'currency', kind: 'identifier', max: 3 },
} as const satisfies Record<string, FieldLimit>;

export type TransactionField = keyof typeof TRANSACTION_FIELD_LIMITS;

/** What a bank's account list gives that profile sync stores: bank_account and connected_account columns. */
export const ACCOUNT_FIELD_LIMITS = {
  /** bank_account.name, varchar(200): the name a new account gets, for people to read. */
  name: { label: 'account name', kind: 'text', max: 200 },
  /** varchar(34) in bank_account and connected_account: accounts are matched by it (R-A12). */
  iban: { label: 'IBAN', kind: 'identifier', max: 34 },
  /** connected_account.bank_resource_id, varchar(200): the path of every later call for the account. */
  resourceId: { label: "bank's account id", kind: 'identifier', max: 200 },
  currency: { label: 'currency', kind: 'identifier', max: 3 },
} as const satisfies Record<string, FieldLimit>;

/** What a bank's consent gives that is stored: consent.bank_consent_id and consent.frequency_per_day. */
export const CONSENT_FIELD_LIMITS = {
  /** varchar(200): the path of every later call about the consent. */
  consentId: { label: "bank's consent id", kind: 'identifier', max: 200 },
} as const satisfies Record<string, FieldLimit>;
/** consent.frequency_per_day is an int: a bank's larger number is no allowance anyone can use. */
export const MAX_FREQUENCY_PER_DAY = 2_147_483_647;

/** The text without NUL characters. */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

/** Characters as PostgreSQL counts them: code points, so a surrogate pair is one. */
export function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** The first `max` characters, never splitting a surrogate pair. */
export function firstCharacters(text: string, max: number): string {
  let end = 0;
  for (let count = 0; count < max && end < text.length; count++) {
    const code = text.charCodeAt(end);
    const pair = code >= 0xd800 && code <= 0xdbff && end + 1 < text.length;
    end += pair && text.charCodeAt(end + 1) >= 0xdc00 && text.charCodeAt(end + 1) <= 0xdfff ? 2 : 1;
  }
  return text.slice(0, end);
}
