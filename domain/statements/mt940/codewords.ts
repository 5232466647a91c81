import { asIban, isCompactIbanShape } from './accounts';
import { isCapital, isWhitespace, skipWhitespace } from './chars';
import { collapseWhitespace, providedOrNull, textOrNull, type EntryDetails } from './entry-details';
import type { InformationLines } from './information-lines';

/**
 * The structured :86: of Dutch banks since SEPA: `/CODE/value` pairs. ING ends each value with a slash
 * (`/EREF/123//CNTP/NL..../INGBNL2A/NAME/CITY///REMI/USTD//text/`), Rabobank and ABN AMRO do not
 * (`/EREF/123/BENM//NAME/J JANSEN/REMI/text/ISDT/2013-07-11`). Values may themselves contain slashes
 * (`/EREF/REF17/22/4444`), so only known codewords split the text.
 */
const CODEWORDS = [
  'ACCW',
  'ADDR',
  'BBAN',
  'BENM',
  'BIC',
  'BUSP',
  'CHGS',
  'CNTP',
  'COAM',
  'CREF',
  'CSID',
  'EREF',
  'EXCH',
  'IBAN',
  'ID',
  'IREF',
  'ISDT',
  'KREF',
  'MARF',
  'NAME',
  'NBTR',
  'OCMT',
  'ORDP',
  'ORDT',
  'PREF',
  'PURP',
  'REMI',
  'RTRN',
  'RTYP',
  'SVCL',
  'TRCD',
  'TRTP',
  'ULTB',
  'ULTC',
  'ULTD',
];
const MIN_CODEWORD = 2;
const MAX_CODEWORD = 4;

/** ING's /CNTP/ holds account, BIC, name and city as positional subfields. */
const CNTP_ACCOUNT = 0;
const CNTP_NAME = 2;

/** `^\s*\/(ACCW|ADDR|...)\/`, in `text` from `start` to `end`. */
export function isStructured(text: string, start = 0, end = text.length): boolean {
  const at = skipWhitespace(text, start, end);
  return at < end && text.charCodeAt(at) === SLASH && codewordEnd(text, at + 1, end) >= 0;
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
 *
 * The text is the :86: lines joined without separator (banks wrap at 65 characters even inside a codeword), but
 * it is read where the lines are, in the file: a position is one in the joined text, and a value is cut from the
 * lines, so that the text is never copied and the values hold on to nothing but the file.
 */
const valueStarts: number[] = READ_CODEWORDS.map(() => 0);
const valueEnds: number[] = READ_CODEWORDS.map(() => 0);
/** Set by codewordEnd: the index of the codeword found. */
let foundIndex = -1;

/** Reads the details of the :86: `lines` into `into`. */
export function readCodewords(lines: InformationLines, into: EntryDetails): void {
  // Values are trimmed parts of the text: where it has nothing to collapse, neither have they.
  const collapsed = !readValues(lines);
  remittance(lines, collapsed);
  const counterparty = valueEnds[CNTP] > valueStarts[CNTP] ? valueOf(lines, CNTP).split('/') : null;
  into.counterpartyIban =
    accountValue(lines, IBAN, collapsed) ??
    account(textOrNull(counterparty?.[CNTP_ACCOUNT])) ??
    accountValue(lines, BBAN, collapsed);
  into.counterpartyName = valueOrNull(lines, NAME, collapsed) ?? textOrNull(counterparty?.[CNTP_NAME]);
  into.description = collapsed ? valueOf(lines, REMI) : collapseWhitespace(valueOf(lines, REMI));
  into.endToEndId = providedOrNull(valueOrNull(lines, EREF, collapsed));
}

/** The value of the codeword read at `index`. */
function valueOf(lines: InformationLines, index: number): string {
  return valueEnds[index] > valueStarts[index] ? substring(lines, valueStarts[index], valueEnds[index]) : '';
}

/** account(valueOrNull(...)), with the common IBAN told without normalising it. */
function accountValue(lines: InformationLines, index: number, collapsed: boolean): string | null {
  const value = valueOrNull(lines, index, collapsed);
  if (value === null || !collapsed) return account(value);
  // Read where the value is in the file: a flat text is read faster than the cut-out value.
  const l = lineWith(lines, valueStarts[index], valueEnds[index]);
  const compact =
    l >= 0
      ? isCompactIbanShape(lines.texts[l], valueStarts[index] + lineOffset, valueEnds[index] + lineOffset)
      : isCompactIbanShape(value);
  return compact ? value : account(value);
}

/** textOrNull of a value. */
function valueOrNull(lines: InformationLines, index: number, collapsed: boolean): string | null {
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
function readValues(lines: InformationLines): boolean {
  for (let i = 0; i < valueStarts.length; i++) {
    valueStarts[i] = 0;
    valueEnds[i] = 0;
  }
  let index = -1;
  let valueStart = 0;
  let collapsible = false;
  let afterWhitespace = false;
  /** The closing slash of the last codeword: the slashes up to there are read. */
  let codewordClosed = -1;
  /** Position in the joined text where line l starts. */
  let lineStart = 0;
  const { texts, starts, ends } = lines;
  for (let l = 0; l < lines.count; l++) {
    const text = texts[l];
    const start = starts[l];
    const end = ends[l];
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code === SLASH) {
        afterWhitespace = false;
        const at = lineStart + i - start;
        if (at <= codewordClosed) continue;
        // A codeword within the line is read from it; one that is wrapped onto the next, from the lines.
        let closing: number;
        if (i + 1 + MAX_CODEWORD < end) {
          const local = codewordEnd(text, i + 1, end);
          closing = local < 0 ? -1 : lineStart + local - start;
        } else {
          closing = wrappedCodewordEnd(lines, at + 1);
        }
        if (closing < 0) continue;
        if (index >= 0 && valueEnds[index] === valueStarts[index]) setValue(lines, index, valueStart, at);
        index = foundIndex;
        valueStart = closing + 1;
        codewordClosed = closing;
      } else if ((code <= SPACE || code >= NBSP) && isWhitespace(code)) {
        if (code !== SPACE || afterWhitespace) collapsible = true;
        afterWhitespace = true;
      } else {
        afterWhitespace = false;
      }
    }
    lineStart += end - start;
  }
  if (index >= 0 && valueEnds[index] === valueStarts[index]) setValue(lines, index, valueStart, lineStart);
  return collapsible;
}

/**
 * Where the codeword that starts at `start` ends (at its closing slash), or -1 where there is none before `end`:
 * codewords are two to four capitals, so only the capitals up to the next slash can be one. Sets foundIndex.
 */
function codewordEnd(text: string, start: number, end: number): number {
  let key = 0;
  let at = start;
  for (; ; at++) {
    if (at >= end) return -1;
    const code = text.charCodeAt(at);
    if (code === SLASH) break;
    if (!isCapital(code) || at - start === MAX_CODEWORD) return -1;
    key = nextKey(key, code);
  }
  return found(key, at - start) ? at : -1;
}

/** codewordEnd in the joined lines, from position `start`. */
function wrappedCodewordEnd(lines: InformationLines, start: number): number {
  let key = 0;
  let at = start;
  for (; ; at++) {
    const code = charAt(lines, at);
    if (code === SLASH) break;
    if (!isCapital(code) || at - start === MAX_CODEWORD) return -1;
    key = nextKey(key, code);
  }
  return found(key, at - start) ? at : -1;
}

function found(key: number, length: number): boolean {
  if (length < MIN_CODEWORD) return false;
  const index = codewordIndex(LENGTH_KEYS[length] + key);
  if (index === undefined) return false;
  foundIndex = index;
  return true;
}

/** Two to four capitals as one number: the length, then five bits a letter. */
function nextKey(key: number, code: number): number {
  return key * 32 + (code - 0x40);
}

/** The part of a codeword's key that its length makes. */
const LENGTH_KEYS = [0, 1, 2, 3, 4].map((length) => length * 32 ** length);

/** The character at `position` of the joined lines; -1 past their end. */
function charAt(lines: InformationLines, position: number): number {
  let at = position;
  for (let l = 0; l < lines.count; l++) {
    const length = lines.ends[l] - lines.starts[l];
    if (at < length) return lines.texts[l].charCodeAt(lines.starts[l] + at);
    at -= length;
  }
  return -1;
}

/** The joined lines from `start` to `end`, cut from the lines. */
function substring(lines: InformationLines, start: number, end: number): string {
  const { texts, starts, ends } = lines;
  let lineStart = 0;
  for (let l = 0; l < lines.count; l++) {
    const lineEnd = lineStart + ends[l] - starts[l];
    if (start < lineEnd) {
      const from = starts[l] + start - lineStart;
      if (end <= lineEnd) return texts[l].slice(from, from + end - start);
      // Wrapped: the pieces on each line.
      let value = texts[l].slice(from, ends[l]);
      let pieceStart = lineEnd;
      for (let next = l + 1; next < lines.count && pieceStart < end; next++) {
        value += texts[next].slice(starts[next], Math.min(ends[next], starts[next] + end - pieceStart));
        pieceStart += ends[next] - starts[next];
      }
      return value;
    }
    lineStart = lineEnd;
  }
  return '';
}

/** Set by lineWith: where in its line's text the joined text's positions are. */
let lineOffset = 0;

/** The line that holds the joined lines from `start` to `end`, or -1 where they run over more than one. */
function lineWith(lines: InformationLines, start: number, end: number): number {
  let lineStart = 0;
  for (let l = 0; l < lines.count; l++) {
    const lineEnd = lineStart + lines.ends[l] - lines.starts[l];
    if (start < lineEnd) {
      if (end > lineEnd) return -1;
      lineOffset = lines.starts[l] - lineStart;
      return l;
    }
    lineStart = lineEnd;
  }
  return -1;
}

/** Where the value is: trimmed, without the slashes that end it (ING) and the spaces before those. */
function setValue(lines: InformationLines, index: number, start: number, end: number): void {
  // Most values lie within one line, and are trimmed there.
  const l = lineWith(lines, start, end);
  if (l >= 0) {
    const offset = lineOffset;
    const text = lines.texts[l];
    let from = start + offset;
    let to = end + offset;
    while (from < to && isWhitespace(text.charCodeAt(from))) from++;
    while (to > from && isWhitespace(text.charCodeAt(to - 1))) to--;
    if (to > from && text.charCodeAt(to - 1) === SLASH) {
      while (to > from && text.charCodeAt(to - 1) === SLASH) to--;
      while (to > from && isWhitespace(text.charCodeAt(to - 1))) to--;
    }
    valueStarts[index] = from - offset;
    valueEnds[index] = to - offset;
    return;
  }
  let from = start;
  let to = end;
  while (from < to && isWhitespace(charAt(lines, from))) from++;
  while (to > from && isWhitespace(charAt(lines, to - 1))) to--;
  if (to > from && charAt(lines, to - 1) === SLASH) {
    while (to > from && charAt(lines, to - 1) === SLASH) to--;
    while (to > from && isWhitespace(charAt(lines, to - 1))) to--;
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
function remittance(lines: InformationLines, collapsed: boolean): void {
  let start = valueStarts[REMI];
  const end = valueEnds[REMI];
  if (startsWith(lines, start, end, 'USTD/')) {
    start += end - start > 5 && charAt(lines, start + 5) === SLASH ? 6 : 5;
  } else if (startsWith(lines, start, end, 'STRD/')) {
    let slash = start + 5;
    while (slash < end && charAt(lines, slash) !== SLASH) slash++;
    if (slash < end) start = slash + 1;
  }
  if (collapsed && start < end && charAt(lines, start) === SPACE) start++;
  valueStarts[REMI] = start;
}

/** Whether the joined lines from `start` to `end` start with `prefix`. */
function startsWith(lines: InformationLines, start: number, end: number, prefix: string): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (charAt(lines, start + i) !== prefix.charCodeAt(i)) return false;
  return true;
}

const SPACE = 0x20;
/** The first white space character after the ASCII ones. */
const NBSP = 0xa0;

/** An account as written, collapsed: an IBAN normalised, anything else as it is. */
function account(written: string | null): string | null {
  return written === null ? null : (asIban(written) ?? written);
}
