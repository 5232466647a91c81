import { StatementParseError } from '../types';
import { type Camt053Version, versionOfRoot } from './versions';
import type { XmlDocument, XmlElement, XmlEvents, XmlStartTag } from './xml';

/**
 * Streaming reading of camt.053. The document's events pass once; only the element currently being read (one
 * balance, one entry) is held as a small tree, handed to the visitor as soon as it closes and then dropped, so
 * time and memory grow linearly with the file and a 100 MB statement never becomes a 1 GB DOM.
 */

export interface StatementVisitor {
  startStatement(line: number): void;
  /** A direct child of `Stmt` (Id, Acct, Bal, Ntry, ...), complete. */
  statementChild(element: XmlElement): void;
  endStatement(): void;
}

/** Reads the document, calling the visitor per statement; returns the version its namespace announces. */
export function readCamt053(document: XmlDocument, visitor: StatementVisitor): Camt053Version {
  const reader = new Camt053Reader(visitor);
  document(reader);
  return reader.finish();
}

const DOCUMENT_DEPTH = 1;
const REPORT_DEPTH = 2;
const STATEMENT_DEPTH = 3;

class Camt053Reader implements XmlEvents {
  private version: Camt053Version | undefined;
  private namespace = '';
  private depth = 0;
  private skipUntilDepth: number | null = null;
  private inStatement = false;
  private reportLine: number | null = null;
  private statements = 0;
  private readonly open: XmlElement[] = [];

  constructor(private readonly visitor: StatementVisitor) {}

  startTag(tag: XmlStartTag): void {
    this.depth += 1;
    if (this.skipUntilDepth !== null) return;
    const { depth } = this;
    const { line } = tag;
    if (depth === DOCUMENT_DEPTH) {
      this.version = versionOfRoot(tag.name, tag.namespace, line);
      this.namespace = tag.namespace;
      return;
    }
    // Extensions (SplmtryData envelopes) carry other namespaces; nothing we map lives there.
    if (tag.namespace !== this.namespace) {
      this.skipUntilDepth = depth;
      return;
    }
    if (depth === REPORT_DEPTH) {
      if (tag.name !== 'BkToCstmrStmt') {
        throw new StatementParseError(`expected <BkToCstmrStmt> under <Document>, found <${tag.name}>`, line);
      }
      this.reportLine = line;
      return;
    }
    if (depth === STATEMENT_DEPTH) {
      if (tag.name === 'Stmt') {
        this.inStatement = true;
        this.statements += 1;
        this.visitor.startStatement(line);
      } else {
        this.skipUntilDepth = depth;
      }
      return;
    }
    const element: XmlElement = { name: tag.name, line, attributes: tag.attributes, children: [], text: '' };
    this.open.at(-1)?.children.push(element);
    this.open.push(element);
  }

  text(text: string): void {
    const current = this.open.at(-1);
    if (current !== undefined && this.skipUntilDepth === null) current.text += text;
  }

  endTag(): void {
    if (this.skipUntilDepth !== null) {
      if (this.depth === this.skipUntilDepth) this.skipUntilDepth = null;
    } else if (this.depth > STATEMENT_DEPTH) {
      const element = this.open.pop();
      if (element !== undefined && this.open.length === 0) this.visitor.statementChild(element);
    } else if (this.depth === STATEMENT_DEPTH && this.inStatement) {
      this.inStatement = false;
      this.visitor.endStatement();
    }
    this.depth -= 1;
  }

  finish(): Camt053Version {
    if (this.version === undefined) throw new StatementParseError('the document has no root element');
    if (this.reportLine === null) throw new StatementParseError('the document has no <BkToCstmrStmt> report');
    if (this.statements === 0) {
      throw new StatementParseError(
        'the document contains no statement: <BkToCstmrStmt> has no <Stmt>',
        this.reportLine,
      );
    }
    return this.version;
  }
}
