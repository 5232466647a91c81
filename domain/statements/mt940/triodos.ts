import { asIban } from './accounts';
import { collapseWhitespace, textOrNull, type EntryDetails } from './entry-details';
import { joinSubfields, range, readSubfields } from './subfields';

/**
 * Triodos :86: (`000>100555555555>20...>310666666666`): `>10` the counter-account's old domestic number (zeros
 * when there is none), `>20`-`>29` text in 27-character pieces, `>31` the own account. Since SEPA, `>20` holds
 * the counterparty's BIC and `>21` its IBAN when there is one, and the text starts at `>22`. Triodos runs name,
 * address and description together in that text, so the name cannot be told apart and is left null.
 */
const DOMESTIC_ACCOUNT = 10;
const COUNTERPARTY_IBAN = 21;
const TEXT = range(20, 29);
const TEXT_AFTER_IBAN = range(22, 29);

export function readTriodosSubfields(text: string): EntryDetails {
  const fields = readSubfields(text, '>');
  const iban = asIban(fields.get(COUNTERPARTY_IBAN) ?? '');
  const domestic = textOrNull(fields.get(DOMESTIC_ACCOUNT));
  return {
    counterpartyIban: iban ?? (domestic === null || /^0+$/.test(domestic) ? null : domestic),
    counterpartyName: null,
    description: collapseWhitespace(joinSubfields(fields, iban === null ? TEXT : TEXT_AFTER_IBAN)),
    endToEndId: null,
  };
}
