import { asIban } from './accounts';
import { collapseWhitespace, endToEndIdOrNull, textOrNull, type EntryDetails } from './entry-details';
import { joinSubfields, range, readSubfields } from './subfields';

/**
 * German :86: (DFÜ-Abkommen): `?00` posting text, `?10` prima nota, `?20`-`?29` and `?60`-`?63` purpose
 * (Verwendungszweck) in 27-character pieces, `?30` BLZ or BIC, `?31` account or IBAN, `?32`-`?33` name.
 * SEPA puts keywords in the purpose: SVWZ+ the remittance text, EREF+ the end-to-end id, KREF+, MREF+, CRED+ ...
 */
const POSTING_TEXT = 0;
const PURPOSE = [...range(20, 29), ...range(60, 63)];
const COUNTERPARTY_ACCOUNT = 31;
const COUNTERPARTY_NAME = [32, 33];

const SEPA_KEYWORD = /(EREF|KREF|MREF|CRED|DEBT|COAM|OAMT|SVWZ|ABWA|ABWE)\+/g;
/** Keywords whose value is text (remittance, ultimate parties' names); the others are identifiers. */
const TEXT_KEYWORDS = new Set(['SVWZ', 'ABWA', 'ABWE']);
/** Marks where the bank ended a purpose piece short of its 27 characters. */
const PIECE_END = '\n';

export function readGermanSubfields(text: string): EntryDetails {
  const fields = readSubfields(text, '?');
  const { keywords, freeText } = readPurpose(joinSubfields(fields, PURPOSE, PIECE_END));
  const account = textOrNull(fields.get(COUNTERPARTY_ACCOUNT));
  return {
    counterpartyIban: account === null ? null : (asIban(account) ?? account),
    counterpartyName: textOrNull(joinSubfields(fields, COUNTERPARTY_NAME)),
    description:
      textOrNull(keywords.get('SVWZ')) ?? textOrNull(freeText) ?? collapseWhitespace(fields.get(POSTING_TEXT) ?? ''),
    endToEndId: endToEndIdOrNull(keywords.get('EREF')),
  };
}

/**
 * Each keyword's value runs to the next keyword, but an identifier also ends where the bank ended its piece:
 * in `EREF+TFNR 40005 00005` / `MTLG:Grund nicht ...` the text after the short piece is no longer the id.
 */
function readPurpose(purpose: string): { keywords: Map<string, string>; freeText: string } {
  const keywords = new Map<string, string>();
  SEPA_KEYWORD.lastIndex = 0;
  let match = SEPA_KEYWORD.exec(purpose);
  const freeText = [purpose.slice(0, match?.index ?? purpose.length)];
  while (match !== null) {
    const next = SEPA_KEYWORD.exec(purpose);
    const value = purpose.slice(match.index + match[0].length, next?.index ?? purpose.length);
    if (TEXT_KEYWORDS.has(match[1])) {
      keywords.set(match[1], value);
    } else {
      const [identifier, ...rest] = value.split(PIECE_END);
      keywords.set(match[1], identifier);
      freeText.push(...rest);
    }
    match = next;
  }
  return { keywords, freeText: freeText.join(' ') };
}
