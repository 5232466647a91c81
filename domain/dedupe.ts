import { createHash } from 'node:crypto';

/**
 * Dedupe keys for transactions (DESIGN.md "Recurring fetches"; R-A5, R-A18: nothing imported twice).
 *
 * Where the bank gives its own id for an entry, that id is the key. Otherwise the key is a fingerprint of what
 * the payment is, plus its occurrence index among identical fingerprints of the same account and day, so two
 * identical real payments (two coffees of EUR 2.50 at the same bar) both stay, while the same payment seen again
 * by a later fetch or another channel maps to the same key.
 */

export interface FingerprintFields {
  bookingDate: string;
  valueDate: string;
  amountCents: number;
  currency: string;
  counterpartyIban: string | null;
  endToEndId: string | null;
  description: string;
}

/** Case, spacing and punctuation differ between channels (API vs file) for the same payment. */
export function normaliseDescription(description: string): string {
  return description
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

export function fingerprint(fields: FingerprintFields): string {
  const parts = [
    fields.bookingDate,
    fields.valueDate,
    String(fields.amountCents),
    fields.currency.toUpperCase(),
    (fields.counterpartyIban ?? '').replace(/\s+/g, '').toUpperCase(),
    (fields.endToEndId ?? '').trim(),
    normaliseDescription(fields.description),
  ];
  return createHash('sha256').update(parts.join('\u001f')).digest('hex').slice(0, 32);
}

/** The size of bank_transaction.dedupe_key: a bank reference longer than it allows after the prefix cannot be a key. */
export const DEDUPE_KEY_LENGTH = 120;
export const BANK_ID_PREFIX = 'bank:';

export function bankIdKey(bankReference: string): string {
  return `${BANK_ID_PREFIX}${bankReference.trim()}`;
}

/**
 * Assigns a dedupe key to each entry of one account, in the order the bank listed them. Entries with a bank
 * id keep it; the others get `fp:<fingerprint>:<n>` where n counts identical fingerprints seen before.
 */
export function assignDedupeKeys<T extends FingerprintFields & { bankReference: string | null }>(
  entries: readonly T[],
): string[] {
  const seen = new Map<string, number>();
  return entries.map((entry) => {
    if (entry.bankReference && entry.bankReference.trim() !== '') return bankIdKey(entry.bankReference);
    const fp = fingerprint(entry);
    const n = seen.get(fp) ?? 0;
    seen.set(fp, n + 1);
    return `fp:${fp}:${n}`;
  });
}
