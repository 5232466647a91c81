import { type IsoDate, type ParseWarning, StatementParseError } from '../types';
import { isCompleteBalance, parseBalance, type SwiftBalance } from './balance';
import { trimmed } from './chars';
import { money } from './money';
import { quoted } from './quote';
import { InformationLines } from './information-lines';
import { SourceLines, TAG_LINE, TAGS, TRAILER_LINE } from './source-lines';
import { emptyStatementLine, endsBeforeTransactionType, readStatementLine, type StatementLine } from './statement-line';

/**
 * The order of fields in an MT940 statement: :20: reference, optional :21:, :25: account, :28C: number
 * (ABN AMRO, Triodos and bunq write :28:), :60F:/:60M: opening balance, any number of :61: entries each with
 * optional :86: information, :62F:/:62M: closing balance, optional :64: and :65: balances and a closing :86:.
 * A statement ends at its trailer (`-`), at the next :20: or at the end of the file.
 *
 * Rule wrapped field: a line that is not a tag continues the field before it, whatever its tag, as some exports
 * wrap every field at a fixed width; it is joined without separator (the wrap may fall inside a word or number)
 * and a warning names it. A balance whose first line already holds a whole balance is not continued: text after
 * it is refused, since it belongs to no field.
 *
 * Rule missing closing balance: a statement that ends after its opening balance or entries without :62F:/:62M:
 * gets the closing balance its opening balance and entries make, dated at its last booking, with a warning.
 */

export interface StatementDraft<Entry> {
  /** Line of its :20:. */
  line: number;
  /** :25: as written. */
  account: string;
  /** :28C: as written, e.g. `19321/1`. */
  number: string | null;
  opening: SwiftBalance & { line: number };
  closing: SwiftBalance & { line: number };
  entries: Entry[];
  /** The line of each entry's :61:. */
  entryLines: number[];
}

/**
 * Turns a complete entry, its :61: and the :86: lines that followed it (wrapped lines and repeated :86: tags
 * alike, in order), into what the caller keeps. Both arguments are reused for the next entry: read, do not keep.
 */
export type EntryReader<Entry> = (
  statementLine: StatementLine,
  information: InformationLines,
  currency: string,
) => Entry;

type Field =
  | 'reference'
  | 'related'
  | 'account'
  | 'number'
  | 'opening'
  | 'entry'
  | 'entry-information'
  | 'closing'
  | 'available'
  | 'forward'
  | 'closing-information';

const FIELD_NAMES: Readonly<Record<Field, string>> = {
  reference: ':20: reference',
  related: ':21: related reference',
  account: ':25: account',
  number: ':28C: statement number',
  opening: ':60F:/:60M: opening balance',
  entry: ':61: statement line',
  'entry-information': ':86: information of an entry',
  closing: ':62F:/:62M: closing balance',
  available: ':64: available balance',
  forward: ':65: forward balance',
  'closing-information': 'closing :86: information',
};

/** Which tag may follow which field, and what field it opens. */
const NEXT: Readonly<Record<Field, Readonly<Record<string, Field>>>> = {
  reference: { '21': 'related', '25': 'account' },
  related: { '25': 'account' },
  account: { '28C': 'number', '28': 'number', '60F': 'opening', '60M': 'opening' },
  number: { '60F': 'opening', '60M': 'opening' },
  opening: { '61': 'entry', '62F': 'closing', '62M': 'closing' },
  entry: { '61': 'entry', '86': 'entry-information', '62F': 'closing', '62M': 'closing' },
  'entry-information': { '61': 'entry', '86': 'entry-information', '62F': 'closing', '62M': 'closing' },
  closing: { '64': 'available', '65': 'forward', '86': 'closing-information' },
  available: { '65': 'forward', '86': 'closing-information' },
  forward: { '65': 'forward', '86': 'closing-information' },
  'closing-information': { '86': 'closing-information' },
};
const KNOWN_TAGS = new Set(['20', ...Object.values(NEXT).flatMap((next) => Object.keys(next))]);
/** NEXT and KNOWN_TAGS by tag id (index in TAGS), as read for every tag line. */
const TRANSITIONS: ReadonlyMap<Field, readonly (Field | undefined)[]> = new Map(
  Object.entries(NEXT).map(([field, next]) => [field as Field, TAGS.map((tag) => next[tag])]),
);
const KNOWN_TAG_IDS: readonly boolean[] = TAGS.map((tag) => KNOWN_TAGS.has(tag));
const COMPLETE = new Set<Field>(['closing', 'available', 'forward', 'closing-information']);
/** Fields that run over several lines; in them a `-` line is text, not the end of the message. */
const MULTI_LINE = new Set<Field>(['entry', 'entry-information', 'closing-information']);
const BALANCES = new Set<Field>(['opening', 'closing', 'available', 'forward']);
const COLON = 0x3a;

interface OpenStatement<Entry> {
  line: number;
  account: string | undefined;
  number: string | null;
  opening: (SwiftBalance & { line: number }) | undefined;
  closing: (SwiftBalance & { line: number }) | undefined;
  entries: Entry[];
  entryLines: number[];
  field: Field;
  /** TRANSITIONS of `field`. */
  transitions: readonly (Field | undefined)[];
  /**
   * A single-line field (all but :61: and :86:) as written, read once the next tag shows it complete; its line is
   * 0 when there is none.
   */
  heldTag: string;
  heldValue: string;
  heldLine: number;
  /** Sum of the entries' amounts and their latest booking date, for a closing balance the bank left out. */
  total: number;
  lastBooking: IsoDate;
  /** The file's warnings. */
  warnings: ParseWarning[];
  /** Line of the :61: whose continuation lines may still follow; 0 when there is none. */
  pendingLine: number;
  pendingValue: string;
  /** Its continuation lines (subfield 9), trimmed and joined by a space. */
  pendingSupplementary: string;
  /** The last :61: read, until its :86: lines are complete; one object for every entry in turn. */
  statementLine: StatementLine;
  hasStatementLine: boolean;
  /** Its :86: lines. */
  information: InformationLines;
  /**
   * Rule trailer in text: in a field of several lines a `-` line may be text or the end of a message whose
   * closing balance is missing. It and the lines after it are held until a tag tells: the next statement's :20:
   * (or the end of the file) makes it the trailer and the lines after it headers; any other tag makes them text.
   */
  trailer: InformationLines;
  trailerLines: number[];
}

/**
 * Reads the statements of an MT940 file; `readEntry` turns each entry into what the caller keeps. What was read
 * generously is said in `warnings`, naming the line.
 */
export function readStatements<Entry>(
  text: string,
  readEntry: EntryReader<Entry>,
  warnings: ParseWarning[],
): StatementDraft<Entry>[] {
  const statements: StatementDraft<Entry>[] = [];
  const source = new SourceLines(text);
  let open: OpenStatement<Entry> | null = null;
  let lastLine = 0;
  while (source.next()) {
    const line = source.line;
    lastLine = line;
    if (open === null) {
      open = startOrSkip(source, warnings);
    } else if (source.kind === TAG_LINE && (source.tag === '20' || source.tag === '940')) {
      // A new statement, or the next of several Rabobank exports glued together.
      statements.push(finish(open, open.trailerLines[0] ?? line, readEntry));
      open = startOrSkip(source, warnings);
    } else if (source.kind === TAG_LINE) {
      replayTrailer(open);
      acceptTag(open, source, line, readEntry);
    } else if (source.kind === TRAILER_LINE && !MULTI_LINE.has(open.field)) {
      statements.push(finish(open, line, readEntry));
      open = null;
    } else if (source.kind === TRAILER_LINE || open.trailerLines.length > 0) {
      open.trailer.add(source.contentText, source.contentStart, source.contentEnd);
      open.trailerLines.push(line);
    } else {
      acceptText(open, source.contentText, source.contentStart, source.contentEnd, line);
    }
  }
  if (open !== null) statements.push(finish(open, open.trailerLines[0] ?? lastLine, readEntry));
  if (statements.length === 0) throw new StatementParseError('no MT940 statement found: the file has no :20: line');
  return statements;
}

/** Outside a statement only :20: matters; header lines, trailers and Rabobank's `:940:` are skipped. */
function startOrSkip<Entry>(source: SourceLines, warnings: ParseWarning[]): OpenStatement<Entry> | null {
  if (source.kind !== TAG_LINE || source.tag === '940') return null;
  if (source.tag !== '20') {
    throw new StatementParseError(
      `unexpected :${source.tag}: outside a statement, which starts with :20:`,
      source.line,
    );
  }
  // Every field from the start, so that all statements share one shape.
  return {
    line: source.line,
    account: undefined,
    number: null,
    opening: undefined,
    closing: undefined,
    entries: [],
    entryLines: [],
    field: 'reference',
    transitions: transitionsOf('reference'),
    heldTag: source.tag,
    heldValue: source.value,
    heldLine: source.line,
    total: 0,
    lastBooking: '',
    warnings,
    trailer: new InformationLines(),
    trailerLines: [],
    pendingLine: 0,
    pendingValue: '',
    pendingSupplementary: '',
    statementLine: emptyStatementLine(),
    hasStatementLine: false,
    information: new InformationLines(),
  };
}

function transitionsOf(field: Field): readonly (Field | undefined)[] {
  return TRANSITIONS.get(field) ?? [];
}

function acceptTag<Entry>(
  open: OpenStatement<Entry>,
  source: SourceLines,
  line: number,
  readEntry: EntryReader<Entry>,
): void {
  const { tag, tagId } = source;
  if (tagId < 0 || !KNOWN_TAG_IDS[tagId]) {
    throw new StatementParseError(`unknown tag :${tag}: in an MT940 statement`, line);
  }
  const next = open.transitions[tagId];
  if (next === undefined) {
    throw new StatementParseError(
      `:${tag}: cannot follow the ${FIELD_NAMES[open.field]} of the statement that starts at line ${open.line}`,
      line,
    );
  }
  readHeldField(open);
  flushEntry(open);
  if (next !== 'entry-information') completeEntry(open, readEntry);
  if (next !== open.field) {
    open.field = next;
    open.transitions = transitionsOf(next);
  }
  switch (next) {
    case 'entry':
      open.pendingLine = line;
      open.pendingValue = source.value;
      open.pendingSupplementary = '';
      break;
    case 'entry-information':
      open.information.add(source.contentText, source.contentStart, source.contentEnd);
      break;
    default:
      open.heldTag = tag;
      open.heldValue = source.value;
      open.heldLine = line;
  }
}

/** Reads the single-line field held in `open`, now that it is complete. */
function readHeldField<Entry>(open: OpenStatement<Entry>): void {
  const line = open.heldLine;
  if (line === 0) return;
  open.heldLine = 0;
  const { heldTag: tag, heldValue: value, warnings } = open;
  switch (open.field) {
    case 'account':
      open.account = value;
      break;
    case 'number':
      open.number = value.trim();
      break;
    case 'opening':
      open.opening = { ...parseBalance(tag, value, line, warnings), line };
      break;
    case 'closing':
      open.closing = { ...parseBalance(tag, value, line, warnings), line };
      if (open.closing.currency !== open.opening?.currency) {
        throw new StatementParseError(
          `closing balance is in ${open.closing.currency}, the opening balance in ${open.opening?.currency}`,
          line,
        );
      }
      break;
    case 'available':
    case 'forward':
      // Not part of the output, but a garbled balance means a garbled file.
      parseBalance(tag, value, line, warnings);
      break;
  }
}

/** The lines held after a `-` line inside a field of several lines, read as text of that field after all. */
function replayTrailer<Entry>(open: OpenStatement<Entry>): void {
  const { trailer, trailerLines } = open;
  if (trailerLines.length === 0) return;
  for (let i = 0; i < trailer.count; i++) {
    acceptText(open, trailer.texts[i], trailer.starts[i], trailer.ends[i], trailerLines[i]);
  }
  trailer.clear();
  trailerLines.length = 0;
}

/** A line that is neither a tag nor the end of the message: `contentText` from `start` to `end`. */
function acceptText<Entry>(
  open: OpenStatement<Entry>,
  contentText: string,
  start: number,
  end: number,
  line: number,
): void {
  switch (open.field) {
    case 'entry': {
      if (open.pendingLine === 0) return;
      const detail = trimmed(contentText.slice(start, end));
      if (detail === '') return;
      if (open.pendingSupplementary === '' && endsBeforeTransactionType(open.pendingValue)) {
        open.pendingValue = open.pendingValue.trimEnd() + detail;
        open.warnings.push(continuation(':61:', line, open.pendingLine));
        return;
      }
      const before = open.pendingSupplementary;
      open.pendingSupplementary = before === '' ? detail : `${before} ${detail}`;
      return;
    }
    case 'entry-information':
      open.information.add(contentText, start, end);
      return;
    case 'closing-information':
      return;
    default: {
      const text = contentText.slice(start, end);
      const detail = trimmed(text);
      if (detail === '') return;
      // A line starting with a colon is a garbled tag; a wrapped value does not start with one.
      if (detail.charCodeAt(0) === COLON || (BALANCES.has(open.field) && isCompleteBalance(open.heldValue))) {
        throw new StatementParseError(
          `unexpected text ${quoted(text)} after the ${FIELD_NAMES[open.field]}; expected a tag such as :61:`,
          line,
        );
      }
      open.heldValue = open.heldValue.trimEnd() + detail;
      open.warnings.push(continuation(`:${open.heldTag}:`, line, open.heldLine));
    }
  }
}

function continuation(tag: string, line: number, fieldLine: number): ParseWarning {
  return { line, message: `${tag} continues on this line; read as one field with line ${fieldLine}` };
}

/** The :61: field is complete once the next line that is not its continuation arrives. */
function flushEntry<Entry>(open: OpenStatement<Entry>): void {
  if (open.pendingLine === 0 || open.opening === undefined) return;
  const line = open.pendingLine;
  const { statementLine } = open;
  readStatementLine(
    statementLine,
    open.pendingValue,
    open.pendingSupplementary,
    open.opening.currency,
    line,
    open.warnings,
  );
  open.total += statementLine.amountCents;
  if (statementLine.bookingDate > open.lastBooking) open.lastBooking = statementLine.bookingDate;
  open.hasStatementLine = true;
  open.entryLines.push(line);
  open.pendingLine = 0;
  open.pendingValue = '';
  open.information.clear();
}

/** An entry is complete once a tag other than its :86: arrives. */
function completeEntry<Entry>(open: OpenStatement<Entry>, readEntry: EntryReader<Entry>): void {
  if (!open.hasStatementLine || open.opening === undefined) return;
  open.entries.push(readEntry(open.statementLine, open.information, open.opening.currency));
  open.hasStatementLine = false;
  open.information.clear();
}

function finish<Entry>(
  open: OpenStatement<Entry>,
  endLine: number,
  readEntry: EntryReader<Entry>,
): StatementDraft<Entry> {
  readHeldField(open);
  flushEntry(open);
  completeEntry(open, readEntry);
  const { account, opening } = open;
  if (account === undefined || opening === undefined) {
    throw new StatementParseError(
      `the statement that starts at line ${open.line} ends before its opening balance (:60F: or :60M:); ` +
        `last field read: ${FIELD_NAMES[open.field]}`,
      endLine,
    );
  }
  const closing = COMPLETE.has(open.field) ? open.closing : undefined;
  return {
    line: open.line,
    account,
    number: open.number,
    opening,
    closing: closing ?? computedClosing(open, opening, endLine),
    entries: open.entries,
    entryLines: open.entryLines,
  };
}

function computedClosing<Entry>(
  open: OpenStatement<Entry>,
  opening: SwiftBalance,
  endLine: number,
): SwiftBalance & { line: number } {
  const { currency } = opening;
  const amountCents = opening.amountCents + open.total;
  open.warnings.push({
    line: endLine,
    message:
      `the statement that starts at line ${open.line} has no closing balance (:62F:); ` +
      `${money(amountCents, currency)} is computed from its opening balance and entries`,
  });
  const date = open.lastBooking > opening.date ? open.lastBooking : opening.date;
  return { date, currency, amountCents, line: endLine };
}
