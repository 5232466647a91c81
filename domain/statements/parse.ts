import { type StatementFile, StatementParseError } from './types';

export type StatementFormat = StatementFile['format'];

/**
 * Detection reads only the head: a bank file announces its format in its first lines, and a 50 MB file should
 * not be scanned twice before the parser reads it.
 */
const HEAD_LENGTH = 64 * 1024;

/** MT940 field tags a statement starts with, optionally behind SWIFT block headers (`{1:...}{2:...}{4:`). */
const MT940_START = /^(?:\{[1-4]:[^\r\n]*?)?:(?:20|940):/m;
/** A SWIFT FIN envelope around the statement, its text block on a later line. */
const SWIFT_BASIC_HEADER = /^\{1:F\d{2}[A-Z0-9]/;
const CAMT053_NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:camt\.053\./;
/** Tab, line feed, form feed and carriage return occur in text; SUB (0x1A) ends some DOS-era MT940 exports. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000E-\u0019\u001B-\u001F]/;

const SUPPORTED =
  'supported are MT940 (SWIFT text with fields such as :20:, :25:, :60F:, :61:) and ' +
  'camt.053 XML (.001.02, .001.04 or .001.08)';

/** The format a statement file is in, judged by its content (never by its name), or null when neither. */
export function detectFormat(text: string): StatementFormat | null {
  const head = startOfContent(text).slice(0, HEAD_LENGTH);
  if (CONTROL_CHARACTER.test(head)) return null;
  if (head.startsWith('<')) {
    const root = rootElement(head);
    return root !== null && root.namespaces.some((ns) => CAMT053_NAMESPACE.test(ns)) ? 'camt.053' : null;
  }
  return SWIFT_BASIC_HEADER.test(head) || MT940_START.test(head) ? 'mt940' : null;
}

/** The format a statement file is in, or a StatementParseError saying what the file looks like instead. */
export function recognisedFormat(text: string): StatementFormat {
  const format = detectFormat(text);
  if (format === null) throw new StatementParseError(`unrecognised statement file: ${whatItIs(text)}; ${SUPPORTED}`);
  return format;
}

/**
 * The text of a statement file as received. SWIFT text is ASCII and camt is UTF-8 by default, but Dutch banks
 * have long exported in ISO-8859-1 or Windows-1252 (an é in a name) and Windows tools save UTF-16 with a byte
 * order mark; bytes that are not valid UTF-8 are read as Windows-1252 (the WHATWG `latin1`, a superset of
 * ISO-8859-1's printable characters) rather than refused, so no name is lost.
 */
export function decodeStatementBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

function startOfContent(text: string): string {
  return text.replace(/^\uFEFF?\s*/, '');
}

interface RootElement {
  name: string;
  namespaces: string[];
}

/**
 * The first element's start tag after the prolog (declaration, comments, processing instructions, doctype). A
 * doctype's internal subset holds `>` of its own (`<!ENTITY x "y">`): skipped whole, so the camt parser is the one
 * to refuse it, saying why, instead of the file being unrecognised.
 */
function rootElement(head: string): RootElement | null {
  const prolog = /^(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\]\s*)?>|\s+)*/;
  const start = /^<([A-Za-z_][\w.:-]*)((?:\s+[^\s=>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/.exec(
    head.replace(prolog, ''),
  );
  if (start === null) return null;
  const namespaces = [...start[2].matchAll(/\sxmlns(?::[\w.-]+)?\s*=\s*(?:"([^"]*)"|'([^']*)')/g)].map(
    (m) => m[1] ?? m[2],
  );
  return { name: start[1], namespaces };
}

/** What the refused file looks like instead, so the user sees at once why it was refused. */
function whatItIs(text: string): string {
  const head = startOfContent(text).slice(0, HEAD_LENGTH);
  if (head === '') return 'the file is empty';
  if (CONTROL_CHARACTER.test(head)) return 'the file is binary, not text (a spreadsheet, PDF or archive?)';
  if (head.startsWith('<')) {
    const root = rootElement(head);
    if (root === null) return 'the file starts like XML but has no readable root element';
    const namespace = root.namespaces.length > 0 ? ` in namespace "${root.namespaces.join('", "')}"` : '';
    return `the XML root element is <${root.name}>${namespace}, not a camt.053 <Document>`;
  }
  if (/^[{[]/.test(head)) return 'the file looks like JSON';
  const firstLine = head.split(/\r\n|\r|\n/, 1)[0];
  if (/[;,\t]/.test(firstLine) && !firstLine.startsWith(':')) {
    return 'the file looks like CSV or another delimited export (no MT940 :20: field and no XML)';
  }
  return 'the file has no MT940 :20: field near its start and is not XML';
}
