import { StatementParseError } from '../types';
import { parseBalance, type SwiftBalance } from './balance';
import { trimmed } from './chars';
import { quoted } from './quote';
import { InformationLines } from './information-lines';
import { SourceLines, TAG_LINE, TAGS, TRAILER_LINE } from './source-lines';
import { emptyStatementLine, readStatementLine, type StatementLine } from './statement-line';

/**
 * The order of fields in an MT940 statement: :20: reference, optional :21:, :25: account, :28C: number
 * (ABN AMRO, Triodos and bunq write :28:), :60F:/:60M: opening balance, any number of :61: entries each with
 * optional :86: information, :62F:/:62M: closing balance, optional :64: and :65: balances and a closing :86:.
 * A statement ends at its trailer (`-`), at the next :20: or at the end of the file.
 */

export interface StatementDraft<Entry> {
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
}

/** Reads the statements of an MT940 file; `readEntry` turns each entry into what the caller keeps. */
export function readStatements<Entry>(text: string, readEntry: EntryReader<Entry>): StatementDraft<Entry>[] {
  const statements: StatementDraft<Entry>[] = [];
  const source = new SourceLines(text);
  let open: OpenStatement<Entry> | null = null;
  let lastLine = 0;
  while (source.next()) {
    const line = source.line;
    lastLine = line;
    if (open === null) {
      open = startOrSkip(source);
    } else if (source.kind === TAG_LINE && (source.tag === '20' || source.tag === '940')) {
      // A new statement, or the next of several Rabobank exports glued together.
      statements.push(finish(open, line, readEntry));
      open = startOrSkip(source);
    } else if (source.kind === TAG_LINE) {
      acceptTag(open, source, line, readEntry);
    } else if (source.kind === TRAILER_LINE && !MULTI_LINE.has(open.field)) {
      statements.push(finish(open, line, readEntry));
      open = null;
    } else {
      acceptText(open, source, line);
    }
  }
  if (open !== null) statements.push(finish(open, lastLine, readEntry));
  if (statements.length === 0) throw new StatementParseError('no MT940 statement found: the file has no :20: line');
  return statements;
}

/** Outside a statement only :20: matters; header lines, trailers and Rabobank's `:940:` are skipped. */
function startOrSkip<Entry>(source: SourceLines): OpenStatement<Entry> | null {
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
  flushEntry(open);
  if (next !== 'entry-information') completeEntry(open, readEntry);
  if (next !== open.field) {
    open.field = next;
    open.transitions = transitionsOf(next);
  }
  switch (next) {
    case 'account':
      open.account = source.value;
      break;
    case 'number':
      open.number = source.value.trim();
      break;
    case 'opening':
      open.opening = { ...parseBalance(tag, source.value, line), line };
      break;
    case 'entry':
      open.pendingLine = line;
      open.pendingValue = source.value;
      open.pendingSupplementary = '';
      break;
    case 'entry-information':
      open.information.add(source.contentText, source.contentStart, source.contentEnd);
      break;
    case 'closing':
      open.closing = { ...parseBalance(tag, source.value, line), line };
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
      parseBalance(tag, source.value, line);
      break;
  }
}

function acceptText<Entry>(open: OpenStatement<Entry>, source: SourceLines, line: number): void {
  switch (open.field) {
    case 'entry': {
      if (open.pendingLine === 0) return;
      const detail = trimmed(source.text);
      if (detail === '') return;
      const before = open.pendingSupplementary;
      open.pendingSupplementary = before === '' ? detail : `${before} ${detail}`;
      return;
    }
    case 'entry-information':
      open.information.add(source.contentText, source.contentStart, source.contentEnd);
      return;
    case 'closing-information':
      return;
    default: {
      const text = source.text;
      if (text.trim() !== '') {
        throw new StatementParseError(
          `unexpected text ${quoted(text)} after the ${FIELD_NAMES[open.field]}; expected a tag such as :61:`,
          line,
        );
      }
    }
  }
}

/** The :61: field is complete once the next line that is not its continuation arrives. */
function flushEntry<Entry>(open: OpenStatement<Entry>): void {
  if (open.pendingLine === 0 || open.opening === undefined) return;
  const line = open.pendingLine;
  readStatementLine(open.statementLine, open.pendingValue, open.pendingSupplementary, open.opening.currency, line);
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
  flushEntry(open);
  completeEntry(open, readEntry);
  const { account, opening, closing } = open;
  if (account === undefined || opening === undefined || closing === undefined || !COMPLETE.has(open.field)) {
    throw new StatementParseError(
      `the statement that starts at line ${open.line} ends before its closing balance (:62F: or :62M:); ` +
        `last field read: ${FIELD_NAMES[open.field]}`,
      endLine,
    );
  }
  return { account, number: open.number, opening, closing, entries: open.entries, entryLines: open.entryLines };
}
