import { asIban } from './accounts';
import { isWhitespace, skipWhitespace } from './chars';
import {
  collapseWhitespace,
  providedOrNull,
  textOrNull,
  type EntryDetails,
} from './entry-details';

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
/** ING's /CNTP/ holds account, BIC, name and city as positional subfields. */
const CNTP_ACCOUNT = 0;
const CNTP_NAME = 2;

/** `^\s*\/(ACCW|ADDR|...)\/` */
export function isStructured(text: string): boolean {
  const start = skipWhitespace(text, 0);
  return text.charCodeAt(start) === SLASH && codewordEnd(text, start + 1) >= 0;
}

/** The codewords whose values are read, by index in `values`; the others only end the value before them. */
const IBAN = 0;
const CNTP = 1;
const BBAN = 2;
const NAME = 3;
const REMI = 4;
const EREF = 5;
const READ_CODEWORDS = ['IBAN', 'CNTP', 'BBAN', 'NAME', 'REMI', 'EREF'];

/** codewordKey -> index of the value read, or -1 for a codeword that is not read. */
const CODEWORD_INDEXES: ReadonlyMap<number, number> = new Map(
  CODEWORDS.map((code) => [codewordKey(code, 0, code.length), READ_CODEWORDS.indexOf(code)]),
);

/**
 * The values of one :86: text, '' for a codeword that is not there (which reads the same as an empty value), and
 * where in the text they are. readCodewords is never re-entered, so these arrays serve every call.
 */
const values: string[] = READ_CODEWORDS.map(() => '');
const valueStarts: number[] = READ_CODEWORDS.map(() => 0);
const valueEnds: number[] = READ_CODEWORDS.map(() => 0);
/** Set by codewordEnd: the index of the codeword found. */
let foundIndex = -1;

/**
 * `text` must be the :86: lines joined without separator: banks wrap at 65 characters even inside a codeword.
 * Given those `lines`, values are cut from them rather than from `text`, so that the result does not hold on to
 * the joined text.
 */
export function readCodewords(text: string, lines?: readonly string[]): EntryDetails {
  // Values are trimmed substrings of the text: where it has nothing to collapse, neither have they.
  const collapsed = !readValues(text);
  for (let i = 0; i < values.length; i++) {
    if (valueEnds[i] > valueStarts[i]) values[i] = substring(text, lines, valueStarts[i], valueEnds[i]);
  }
  const cntp = values[CNTP];
  const counterparty = cntp === '' ? null : cntp.split('/');
  return {
    counterpartyIban:
      account(valueOrNull(IBAN, collapsed)) ??
      account(textOrNull(counterparty?.[CNTP_ACCOUNT])) ??
      account(valueOrNull(BBAN, collapsed)),
    counterpartyName: valueOrNull(NAME, collapsed) ?? textOrNull(counterparty?.[CNTP_NAME]),
    description: remittance(values[REMI], collapsed),
    endToEndId: providedOrNull(valueOrNull(EREF, collapsed)),
  };
}

/** `text.slice(start, end)`, cut from `lines` (which `text` joins) where given. */
function substring(text: string, lines: readonly string[] | undefined, start: number, end: number): string {
  if (lines === undefined) return text.slice(start, end);
  let lineStart = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const lineEnd = lineStart + line.length;
    if (start < lineEnd) {
      if (end <= lineEnd) return line.slice(start - lineStart, end - lineStart);
      // Wrapped: the pieces on each line.
      let value = line.slice(start - lineStart);
      let pieceStart = lineEnd;
      for (let j = i + 1; j < lines.length && pieceStart < end; j++) {
        const next = lines[j];
        value += next.slice(0, end - pieceStart);
        pieceStart += next.length;
      }
      return value;
    }
    lineStart = lineEnd;
  }
  return text.slice(start, end);
}

/** textOrNull of a value. */
function valueOrNull(index: number, collapsed: boolean): string | null {
  const value = values[index];
  if (!collapsed) return textOrNull(value);
  return value === '' ? null : value;
}

/**
 * Reads the values into `values`, in one pass that also tells whether the text has whitespace to collapse (two
 * in a row, or one other than a space: `\s\s|[^\S ]`).
 *
 * The first non-empty value of each codeword wins: Rabobank sometimes writes an empty /REMI/ before the real one.
 * Codewords are found left to right and do not overlap: in `/EREF//IBAN/` the slash before IBAN ends EREF's value.
 */
function readValues(text: string): boolean {
  for (let i = 0; i < values.length; i++) {
    values[i] = '';
    valueStarts[i] = 0;
    valueEnds[i] = 0;
  }
  let index = -1;
  let valueStart = 0;
  let collapsible = false;
  let afterWhitespace = false;
  const length = text.length;
  for (let at = 0; at < length; at++) {
    const code = text.charCodeAt(at);
    if (code === SLASH) {
      afterWhitespace = false;
      const end = codewordEnd(text, at + 1);
      if (end < 0) continue;
      if (index >= 0 && valueEnds[index] === valueStarts[index]) setValue(text, index, valueStart, at);
      index = foundIndex;
      valueStart = end + 1;
      // On after the codeword's closing slash; the codeword is capitals, no white space.
      at = end;
    } else if ((code <= SPACE || code >= NBSP) && isWhitespace(code)) {
      if (code !== SPACE || afterWhitespace) collapsible = true;
      afterWhitespace = true;
    } else {
      afterWhitespace = false;
    }
  }
  if (index >= 0 && valueEnds[index] === valueStarts[index]) setValue(text, index, valueStart, length);
  return collapsible;
}

const MIN_CODEWORD = 2;
const MAX_CODEWORD = 4;

/**
 * Where the codeword that starts at `start` ends (at its closing slash), or -1 where there is none: codewords are
 * two to four capitals, so only the capitals up to the next slash can be one. Sets foundIndex.
 */
function codewordEnd(text: string, start: number): number {
  let end = start;
  while (end - start <= MAX_CODEWORD) {
    const code = text.charCodeAt(end);
    if (code === SLASH) break;
    if (code < 0x41 || code > 0x5a) return -1;
    end++;
  }
  const length = end - start;
  if (length < MIN_CODEWORD || length > MAX_CODEWORD || text.charCodeAt(end) !== SLASH) return -1;
  const index = CODEWORD_INDEXES.get(codewordKey(text, start, length));
  if (index === undefined) return -1;
  foundIndex = index;
  return end;
}

/** Two to four capitals as one number. */
function codewordKey(text: string, start: number, length: number): number {
  let key = length;
  for (let i = start; i < start + length; i++) key = key * 32 + (text.charCodeAt(i) - 0x40);
  return key;
}

/** Where the value is: trimmed, without the slashes that end it (ING) and the spaces before those. */
function setValue(text: string, index: number, start: number, end: number): void {
  let from = start;
  let to = end;
  while (from < to && isWhitespace(text.charCodeAt(from))) from++;
  while (to > from && isWhitespace(text.charCodeAt(to - 1))) to--;
  if (to > from && text.charCodeAt(to - 1) === SLASH) {
    while (to > from && text.charCodeAt(to - 1) === SLASH) to--;
    while (to > from && isWhitespace(text.charCodeAt(to - 1))) to--;
  }
  valueStarts[index] = from;
  valueEnds[index] = to;
}

const SLASH = 0x2f;

/**
 * ING marks remittance as unstructured (`USTD//text`) or structured (`STRD/CUR/payment reference`). `collapsed`:
 * the value has single spaces only, so that collapsing whitespace would change no more than one leading space.
 */
function remittance(value: string, collapsed: boolean): string {
  let text = value;
  if (value.startsWith('USTD/')) text = value.slice(value.charCodeAt(5) === SLASH ? 6 : 5);
  else if (value.startsWith('STRD/')) {
    const end = value.indexOf('/', 5);
    if (end >= 0) text = value.slice(end + 1);
  }
  if (!collapsed) return collapseWhitespace(text);
  return text.charCodeAt(0) === SPACE ? text.slice(1) : text;
}

const SPACE = 0x20;
/** The first white space character after the ASCII ones. */
const NBSP = 0xa0;

/** An account as written, collapsed: an IBAN normalised, anything else as it is. */
function account(written: string | null): string | null {
  return written === null ? null : (asIban(written) ?? written);
}
