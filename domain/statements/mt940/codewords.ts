import { asIban } from './accounts';
import { collapseWhitespace, endToEndIdOrNull, textOrNull, type EntryDetails } from './entry-details';

/**
 * The structured :86: of Dutch banks since SEPA: `/CODE/value` pairs. ING ends each value with a slash
 * (`/EREF/123//CNTP/NL..../INGBNL2A/NAME/CITY///REMI/USTD//text/`), Rabobank and ABN AMRO do not
 * (`/EREF/123/BENM//NAME/J JANSEN/REMI/text/ISDT/2013-07-11`). Values may themselves contain slashes
 * (`/EREF/REF17/22/4444`), so only known codewords split the text.
 */
const CODEWORDS = [
  'ACCW', 'ADDR', 'BBAN', 'BENM', 'BIC', 'BUSP', 'CHGS', 'CNTP', 'COAM', 'CREF', 'CSID', 'EREF', 'EXCH', 'IBAN', 'ID',
  'IREF', 'ISDT', 'KREF', 'MARF', 'NAME', 'NBTR', 'OCMT', 'ORDP', 'ORDT', 'PREF', 'PURP', 'REMI', 'RTRN', 'RTYP',
  'SVCL', 'TRCD', 'TRTP', 'ULTB', 'ULTC', 'ULTD',
];
const CODEWORD = new RegExp(`/(${CODEWORDS.join('|')})/`, 'g');
const LEADING_CODEWORD = new RegExp(`^\\s*/(${CODEWORDS.join('|')})/`);

/** ING's /CNTP/ holds account, BIC, name and city as positional subfields. */
const CNTP_ACCOUNT = 0;
const CNTP_NAME = 2;

export function isStructured(text: string): boolean {
  return LEADING_CODEWORD.test(text);
}

/** `text` must be the :86: lines joined without separator: banks wrap at 65 characters even inside a codeword. */
export function readCodewords(text: string): EntryDetails {
  const values = codewordValues(text);
  const counterparty = (values.get('CNTP') ?? '').split('/');
  return {
    counterpartyIban: account(values.get('IBAN')) ?? account(counterparty[CNTP_ACCOUNT]) ?? account(values.get('BBAN')),
    counterpartyName: textOrNull(values.get('NAME')) ?? textOrNull(counterparty[CNTP_NAME]),
    description: remittance(values.get('REMI') ?? ''),
    endToEndId: endToEndIdOrNull(values.get('EREF')),
  };
}

/** The first non-empty value of each codeword wins: Rabobank sometimes writes an empty /REMI/ before the real one. */
function codewordValues(text: string): Map<string, string> {
  const matches = [...text.matchAll(CODEWORD)];
  const values = new Map<string, string>();
  matches.forEach((match, i) => {
    const start = match.index + match[0].length;
    const end = matches[i + 1]?.index ?? text.length;
    const value = text.slice(start, end).trim().replace(/\/+$/, '').trim();
    if (!values.get(match[1])) values.set(match[1], value);
  });
  return values;
}

/** ING marks remittance as unstructured (`USTD//text`) or structured (`STRD/CUR/payment reference`). */
function remittance(value: string): string {
  const unstructured = /^USTD\/\/?(.*)$/s.exec(value);
  const structured = /^STRD\/[^/]*\/(.*)$/s.exec(value);
  return collapseWhitespace(unstructured?.[1] ?? structured?.[1] ?? value);
}

function account(value: string | undefined): string | null {
  const written = textOrNull(value);
  return written === null ? null : (asIban(written) ?? written);
}
