import { asIban, isCompactIbanShape } from './accounts';
import { isCapital, isWhitespace, skipWhitespace } from './chars';
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
const MIN_CODEWORD = 2;
const MAX_CODEWORD = 4;

/** ING's /CNTP/ holds account, BIC, name and city as positional subfields. */
const CNTP_ACCOUNT = 0;
const CNTP_NAME = 2;

/** `^\s*\/(ACCW|ADDR|...)\/` */
export function isStructured(text: string): boolean {
  const start = skipWhitespace(text, 0);
  return start < text.length && text.charCodeAt(start) === SLASH && codewordEnd(text, start + 1) >= 0;
}

/** The codewords whose values are read, by index in valueStarts and valueEnds; the others only end a value. */
const IBAN = 0;
const CNTP = 1;
const BBAN = 2;
const NAME = 3;
const REMI = 4;
const EREF = 5;
const READ_CODEWORDS = ['IBAN', 'CNTP', 'BBAN', 'NAME', 'REMI', 'EREF'];

/**
 * Codeword key (length, then five bits a letter) -> index of the value read, or -1 for a codeword that is not
 * read: an open-addressing hash table, looked up for every slash in every :86: text.
 */
const TABLE_BITS = 7;
const TABLE_KEYS = new Int32Array(1 << TABLE_BITS);
const TABLE_INDEXES = new Int8Array(1 << TABLE_BITS);
for (const code of CODEWORDS) {
  let key = 0;
  for (let i = 0; i < code.length; i++) key = nextKey(key, code.charCodeAt(i));
  let slot = tableSlot(code.length * 32 ** code.length + key);
  while (TABLE_KEYS[slot] !== 0) slot = (slot + 1) & ((1 << TABLE_BITS) - 1);
  TABLE_KEYS[slot] = code.length * 32 ** code.length + key;
  TABLE_INDEXES[slot] = READ_CODEWORDS.indexOf(code);
}

function tableSlot(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> (32 - TABLE_BITS);
}

/** The index of the value of the codeword with `key`, -1 for one not read, undefined for no codeword. */
function codewordIndex(key: number): number | undefined {
  for (let slot = tableSlot(key); TABLE_KEYS[slot] !== 0; slot = (slot + 1) & ((1 << TABLE_BITS) - 1)) {
    if (TABLE_KEYS[slot] === key) return TABLE_INDEXES[slot];
  }
  return undefined;
}

/**
 * Where the values of one :86: text are in it; an empty range for a codeword that is not there (which reads the
 * same as an empty value). readCodewords is never re-entered, so these arrays serve every call.
 */
const valueStarts: number[] = READ_CODEWORDS.map(() => 0);
const valueEnds: number[] = READ_CODEWORDS.map(() => 0);
/** Set by codewordEnd: the index of the codeword found. */
let foundIndex = -1;

/**
 * Reads the details of the :86: `lines` into `into`. `text` must be the lines joined without separator: banks
 * wrap at 65 characters even inside a codeword. The text is read, but the values are cut from the lines (and so
 * from the file), so that the result does not hold on to the joined text; and only where they are used.
 */
export function readCodewords(text: string, lines: readonly string[], into: EntryDetails): void {
  // Values are trimmed substrings of the text: where it has nothing to collapse, neither have they.
  const collapsed = !readValues(text);
  remittance(text, collapsed);
  const counterparty = valueEnds[CNTP] > valueStarts[CNTP] ? valueOf(lines, CNTP).split('/') : null;
  into.counterpartyIban =
    accountValue(text, lines, IBAN, collapsed) ??
    account(textOrNull(counterparty?.[CNTP_ACCOUNT])) ??
    accountValue(text, lines, BBAN, collapsed);
  into.counterpartyName = valueOrNull(lines, NAME, collapsed) ?? textOrNull(counterparty?.[CNTP_NAME]);
  into.description = collapsed ? valueOf(lines, REMI) : collapseWhitespace(valueOf(lines, REMI));
  into.endToEndId = providedOrNull(valueOrNull(lines, EREF, collapsed));
}

/** The value of the codeword read at `index`. */
function valueOf(lines: readonly string[], index: number): string {
  return valueEnds[index] > valueStarts[index] ? substring(lines, valueStarts[index], valueEnds[index]) : '';
}

/** account(valueOrNull(...)), the common IBAN told in the (flat, so quickly read) text. */
function accountValue(text: string, lines: readonly string[], index: number, collapsed: boolean): string | null {
  const value = valueOrNull(lines, index, collapsed);
  if (value !== null && collapsed && isCompactIbanShape(text, valueStarts[index], valueEnds[index])) return value;
  return account(value);
}

/** textOrNull of a value. */
function valueOrNull(lines: readonly string[], index: number, collapsed: boolean): string | null {
  const value = valueOf(lines, index);
  if (!collapsed) return textOrNull(value);
  return value === '' ? null : value;
}

/**
 * Reads the values' places into `valueStarts` and `valueEnds`, in one pass that also tells whether the text has
 * whitespace to collapse (two in a row, or one other than a space: `\s\s|[^\S ]`).
 *
 * The first non-empty value of each codeword wins: Rabobank sometimes writes an empty /REMI/ before the real one.
 * Codewords are found left to right and do not overlap: in `/EREF//IBAN/` the slash before IBAN ends EREF's value.
 */
function readValues(text: string): boolean {
  for (let i = 0; i < valueStarts.length; i++) {
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

/**
 * Where the codeword that starts at `start` ends (at its closing slash), or -1 where there is none: codewords are
 * two to four capitals, so only the capitals up to the next slash can be one. Sets foundIndex.
 */
function codewordEnd(text: string, start: number): number {
  let key = 0;
  let end = start;
  // Reading past the end is avoided, not only harmless: it would make every read here a slow one.
  for (; ; end++) {
    if (end >= text.length) return -1;
    const code = text.charCodeAt(end);
    if (code === SLASH) break;
    if (!isCapital(code) || end - start === MAX_CODEWORD) return -1;
    key = nextKey(key, code);
  }
  const length = end - start;
  if (length < MIN_CODEWORD) return -1;
  const index = codewordIndex(LENGTH_KEYS[length] + key);
  if (index === undefined) return -1;
  foundIndex = index;
  return end;
}

/** Two to four capitals as one number: the length, then five bits a letter. */
function nextKey(key: number, code: number): number {
  return key * 32 + (code - 0x40);
}

/** The part of a codeword's key that its length makes. */
const LENGTH_KEYS = [0, 1, 2, 3, 4].map((length) => length * 32 ** length);

/** `lines.join('').slice(start, end)`, cut from the lines. */
function substring(lines: readonly string[], start: number, end: number): string {
  let lineStart = 0;
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l];
    const lineEnd = lineStart + line.length;
    if (start < lineEnd) {
      if (end <= lineEnd) return line.slice(start - lineStart, end - lineStart);
      // Wrapped: the pieces on each line.
      let value = line.slice(start - lineStart);
      let pieceStart = lineEnd;
      for (let next = l + 1; next < lines.length && pieceStart < end; next++) {
        value += lines[next].slice(0, end - pieceStart);
        pieceStart += lines[next].length;
      }
      return value;
    }
    lineStart = lineEnd;
  }
  return '';
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
 * ING marks remittance as unstructured (`USTD//text`) or structured (`STRD/CUR/payment reference`): the /REMI/
 * value is narrowed to the text. `collapsed`: the text has single spaces only, so that collapsing whitespace
 * changes no more than the one space that may follow the mark.
 */
function remittance(text: string, collapsed: boolean): void {
  let start = valueStarts[REMI];
  const end = valueEnds[REMI];
  if (end - start >= 5 && text.startsWith('USTD/', start)) {
    start += end - start > 5 && text.charCodeAt(start + 5) === SLASH ? 6 : 5;
  } else if (end - start >= 5 && text.startsWith('STRD/', start)) {
    const slash = text.indexOf('/', start + 5);
    if (slash >= 0 && slash < end) start = slash + 1;
  }
  if (collapsed && start < end && text.charCodeAt(start) === SPACE) start++;
  valueStarts[REMI] = start;
}

const SPACE = 0x20;
/** The first white space character after the ASCII ones. */
const NBSP = 0xa0;

/** An account as written, collapsed: an IBAN normalised, anything else as it is. */
function account(written: string | null): string | null {
  return written === null ? null : (asIban(written) ?? written);
}
