import { SaxesParser } from 'saxes';
import { StatementParseError } from '../types';
import { type Camt053Version, versionOfRoot } from './versions';

/**
 * Streaming reader for camt.053. The SAX parser walks the file once; only the element currently being read
 * (one balance, one entry) is held as a small tree, handed to the visitor as soon as it closes and then
 * dropped, so time and memory grow linearly with the file and a 100 MB statement never becomes a 1 GB DOM.
 */

/** One element of the camt namespace, by local name, with its 1-based line for error messages. */
export interface XmlElement {
  readonly name: string;
  readonly line: number;
  /** Attributes without a namespace (camt only has those, e.g. `Ccy`), by name. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

export interface StatementVisitor {
  startStatement(line: number): void;
  /** A direct child of `Stmt` (Id, Acct, Bal, Ntry, ...), complete. */
  statementChild(element: XmlElement): void;
  endStatement(): void;
}

export function child(element: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let current = element;
  for (const name of path) current = current?.children.find((c) => c.name === name);
  return current;
}

export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((c) => c.name === name) ?? [];
}

/** Trimmed text at a path, or null when the element is missing or empty. */
export function textAt(element: XmlElement | undefined, ...path: string[]): string | null {
  const text = child(element, ...path)?.text.trim();
  return text ? text : null;
}

const DOCUMENT_DEPTH = 1;
const REPORT_DEPTH = 2;
const STATEMENT_DEPTH = 3;

/** Reads the document, calling the visitor per statement; returns the version its namespace announces. */
export function readCamt053(xml: string, visitor: StatementVisitor): Camt053Version {
  const parser = strictParser();
  let version: Camt053Version | undefined;
  let namespace = '';
  let depth = 0;
  let skipUntilDepth: number | null = null;
  let inStatement = false;
  let reportLine: number | null = null;
  let statements = 0;
  const open: XmlElement[] = [];

  parser.on('opentag', (tag) => {
    depth += 1;
    if (skipUntilDepth !== null) return;
    const line = parser.line;
    if (depth === DOCUMENT_DEPTH) {
      version = versionOfRoot(tag.local, tag.uri, line);
      namespace = tag.uri;
      return;
    }
    // Extensions (SplmtryData envelopes) carry other namespaces; nothing we map lives there.
    if (tag.uri !== namespace) {
      skipUntilDepth = depth;
      return;
    }
    if (depth === REPORT_DEPTH) {
      if (tag.local !== 'BkToCstmrStmt') {
        throw new StatementParseError(`expected <BkToCstmrStmt> under <Document>, found <${tag.local}>`, line);
      }
      reportLine = line;
      return;
    }
    if (depth === STATEMENT_DEPTH) {
      if (tag.local === 'Stmt') {
        inStatement = true;
        statements += 1;
        visitor.startStatement(line);
      } else {
        skipUntilDepth = depth;
      }
      return;
    }
    const attributes: Record<string, string> = {};
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.uri === '') attributes[attribute.local] = attribute.value;
    }
    const element: XmlElement = { name: tag.local, line, attributes, children: [], text: '' };
    open.at(-1)?.children.push(element);
    open.push(element);
  });

  const appendText = (text: string): void => {
    const current = open.at(-1);
    if (current !== undefined && skipUntilDepth === null) current.text += text;
  };
  parser.on('text', appendText);
  parser.on('cdata', appendText);

  parser.on('closetag', () => {
    if (skipUntilDepth !== null) {
      if (depth === skipUntilDepth) skipUntilDepth = null;
    } else if (depth > STATEMENT_DEPTH) {
      const element = open.pop();
      if (element !== undefined && open.length === 0) visitor.statementChild(element);
    } else if (depth === STATEMENT_DEPTH && inStatement) {
      inStatement = false;
      visitor.endStatement();
    }
    depth -= 1;
  });

  parser.write(xml).close();

  if (version === undefined) throw new StatementParseError('the document has no root element');
  if (reportLine === null) throw new StatementParseError('the document has no <BkToCstmrStmt> report');
  if (statements === 0) {
    throw new StatementParseError('the document contains no statement: <BkToCstmrStmt> has no <Stmt>', reportLine);
  }
  return version;
}

const HEAD_CHUNK = 4096;

/** The version the root element announces, reading no further than the root's start tag. */
export function readCamt053Version(xml: string): Camt053Version {
  const parser = strictParser();
  let version: Camt053Version | undefined;
  parser.on('opentag', (tag) => {
    version ??= versionOfRoot(tag.local, tag.uri, parser.line);
  });
  // Past the root's start tag the document is the schema validator's to judge, errors included.
  parser.on('error', (error) => {
    if (version === undefined) {
      throw new StatementParseError(`malformed XML: ${withoutPosition(error.message)}`, parser.line);
    }
  });
  for (let start = 0; version === undefined && start < xml.length; start += HEAD_CHUNK) {
    parser.write(xml.slice(start, start + HEAD_CHUNK));
  }
  if (version === undefined) throw new StatementParseError('the document has no root element');
  return version;
}

function strictParser(): SaxesParser<{ xmlns: true; position: true }> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  parser.on('error', (error) => {
    throw new StatementParseError(`malformed XML: ${withoutPosition(error.message)}`, parser.line);
  });
  // camt never uses a DTD; refusing one rules out entity expansion attacks outright.
  parser.on('doctype', () => {
    throw new StatementParseError('a DOCTYPE is not allowed in a camt.053 document', parser.line);
  });
  return parser;
}

/** saxes prefixes "line:column: "; StatementParseError carries the line itself. */
function withoutPosition(message: string): string {
  return message.replace(/^\d+:\d+: /, '');
}
