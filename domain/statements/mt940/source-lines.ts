import { isDigit } from './chars';

/**
 * The physical lines of an MT940 file, classified. Files come with CRLF, LF or CR, with or without SWIFT block
 * wrappers (`{1:...}{2:...}{4:` ... `-}`), with bank header lines (`ABNANL2A`, `940 00`, `:940:`) and trailing
 * blank lines; which of those matter is decided by the reader of the message structure.
 *
 * The text is read in one pass with `indexOf`, one line at a time, into the fields of one reader: a file of
 * hundreds of megabytes is never held a second time as an array of lines or of line objects.
 */

/** `:tag:value`: `tag` and `value` are set. */
export const TAG_LINE = 0;
/** Any other non-empty line: `text` is set. */
export const TEXT_LINE = 1;
/** End of a message: `-`, `-}` (optionally followed by the trailer block) or ING's `-XXX`; `text` is set. */
export const TRAILER_LINE = 2;
export type LineKind = typeof TAG_LINE | typeof TEXT_LINE | typeof TRAILER_LINE;

/** End of a message: `-`, `-}` (optionally followed by the trailer block) or ING's `-XXX`. */
const TRAILER = /^-(?:\}.*|XXX)?$/;
/** Basic, application and user header blocks before the text block: `{1:F01INGBNL2ABXXX0000000000}{2:I940...N}{4:`. */
const BLOCK_HEADER = /^(?:\{[1-3]:(?:[^{}]|\{[^{}]*\})*\})*\{4:/;
/**
 * A line terminator other than CR and LF. A tag's value is a single line (`.` in `^:(\d[0-9A-Za-z]{1,2}):(.*)$`),
 * so a line holding one is not a tag but text, as it always was.
 */
const OTHER_LINE_TERMINATOR = /[\u2028\u2029]/;

const COLON = 0x3a;
const HYPHEN = 0x2d;
const OPEN_BRACE = 0x7b;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

/** The tags of MT940: a tag line of one of these has its index here as `tagId`, and shares the string. */
export const TAGS = ['20', '21', '25', '28', '28C', '60F', '60M', '61', '62F', '62M', '64', '65', '86', '940'];
/** tagKey -> index in TAGS. */
const TAG_IDS = new Map(TAGS.map((tag, id) => [tagKey(tag, 0, tag.length), id]));

function tagKey(text: string, start: number, length: number): number {
  const key = (text.charCodeAt(start) << 8) | text.charCodeAt(start + 1);
  return length === 2 ? key : (key << 8) | text.charCodeAt(start + 2) | (1 << 24);
}

/**
 * Reads the non-empty lines of `text` one at a time: each `next()` that returns true sets `kind`, `line` (1-based,
 * counting every physical line), `tag` for a tag line, and where the line's content is: a tag's value, or the text
 * of another line. The content is cut out only when asked for, as `value` or `text`.
 */
export class SourceLines {
  kind: LineKind = TEXT_LINE;
  line = 0;
  tag = '';
  /** Index of `tag` in TAGS, -1 for another tag. */
  tagId = -1;
  /** The content is contentText from contentStart to contentEnd: usually the file itself. */
  contentText = '';
  contentStart = 0;
  contentEnd = 0;

  /** A tag line's value. */
  get value(): string {
    return this.contentText.slice(this.contentStart, this.contentEnd);
  }

  /** A text or trailer line's text. */
  get text(): string {
    return this.contentText.slice(this.contentStart, this.contentEnd);
  }

  private position: number;
  private readonly length: number;
  /** Next LF and CR at or after `position`; the length of the text once there is none. */
  private nextLf = -1;
  private nextCr = -1;
  private readonly otherTerminators: boolean;

  constructor(private readonly source: string) {
    this.length = source.length;
    this.position = source.charCodeAt(0) === BOM ? 1 : 0;
    this.otherTerminators = OTHER_LINE_TERMINATOR.test(source);
  }

  next(): boolean {
    const text = this.source;
    const length = this.length;
    let lineNumber = this.line;
    while (this.position <= length) {
      const start = this.position;
      lineNumber += 1;
      if (this.nextLf < start) this.nextLf = indexOrEnd(text, '\n', start, length);
      if (this.nextCr < start) this.nextCr = indexOrEnd(text, '\r', start, length);
      const end = this.nextLf < this.nextCr ? this.nextLf : this.nextCr;
      // CRLF is one line break; a text that ends in a line break still has an (empty) line after it.
      const crlf = end + 1 < length && text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF;
      this.position = end === length ? length + 1 : crlf ? end + 2 : end + 1;
      if (end === start) continue;
      if (text.charCodeAt(start) === OPEN_BRACE) {
        const content = text.slice(start, end).replace(BLOCK_HEADER, '');
        if (content === '') continue;
        this.line = lineNumber;
        this.classify(content, 0, content.length);
      } else {
        this.line = lineNumber;
        this.classify(text, start, end);
      }
      return true;
    }
    this.line = lineNumber;
    return false;
  }

  /** Sets the fields for the line from `start` to `end` of `text`. */
  private classify(text: string, start: number, end: number): void {
    this.contentText = text;
    this.contentEnd = end;
    if (this.readTag(text, start, end)) return;
    this.kind =
      text.charCodeAt(start) === HYPHEN && TRAILER.test(text.slice(start, end).trimEnd()) ? TRAILER_LINE : TEXT_LINE;
    this.contentStart = start;
  }

  /** `:` digit, one or two letters or digits, `:` (`^:(\d[0-9A-Za-z]{1,2}):(.*)$`). */
  private readTag(text: string, start: number, end: number): boolean {
    const length = end - start;
    if (
      length < 4 ||
      text.charCodeAt(start) !== COLON ||
      !isDigit(text.charCodeAt(start + 1)) ||
      !isAlphanumeric(text.charCodeAt(start + 2))
    ) {
      return false;
    }
    let tagLength: number;
    const threeCharacters = length >= 5 && isAlphanumeric(text.charCodeAt(start + 3));
    if (threeCharacters && text.charCodeAt(start + 4) === COLON) tagLength = 3;
    else if (text.charCodeAt(start + 3) === COLON) tagLength = 2;
    else return false;
    const valueStart = start + tagLength + 2;
    if (this.otherTerminators && OTHER_LINE_TERMINATOR.test(text.slice(valueStart, end))) return false;
    this.kind = TAG_LINE;
    const id = TAG_IDS.get(tagKey(text, start + 1, tagLength));
    this.tagId = id ?? -1;
    this.tag = id === undefined ? text.slice(start + 1, start + 1 + tagLength) : TAGS[id];
    this.contentStart = valueStart;
    return true;
  }
}

function indexOrEnd(text: string, search: string, from: number, length: number): number {
  const index = text.indexOf(search, from);
  return index < 0 ? length : index;
}

function isAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}
