import { SaxesParser } from 'saxes';
import type { XmlDocument, XmlStartTag } from '../domain/statements/camt053/xml';
import { StatementParseError } from '../domain/statements/types';

/**
 * A camt.053 document read with saxes, a streaming SAX parser: its events go to the domain's mapping as they
 * come, so no tree of the whole file is ever built. Malformed XML and any DOCTYPE end the reading with a
 * StatementParseError on the line where they occur.
 */
export function xmlDocument(xml: string): XmlDocument {
  return (events) => {
    const parser = strictParser();
    parser.on('opentag', (tag) => {
      const attributes: Record<string, string> = {};
      for (const attribute of Object.values(tag.attributes)) {
        if (attribute.uri === '') attributes[attribute.local] = attribute.value;
      }
      events.startTag({ name: tag.local, namespace: tag.uri, line: parser.line, attributes });
    });
    const text = (value: string): void => events.text(value);
    parser.on('text', text);
    parser.on('cdata', text);
    parser.on('closetag', () => events.endTag());
    parser.write(xml).close();
  };
}

const HEAD_CHUNK = 4096;

/** The root element's start tag, reading no further; null when the document has none. */
export function readRootTag(xml: string): XmlStartTag | null {
  const parser = strictParser();
  let root: XmlStartTag | null = null;
  parser.on('opentag', (tag) => {
    root ??= { name: tag.local, namespace: tag.uri, line: parser.line, attributes: {} };
  });
  // Past the root's start tag the document is the schema validator's to judge, errors included.
  parser.on('error', (error) => {
    if (root === null) throw new StatementParseError(`malformed XML: ${withoutPosition(error.message)}`, parser.line);
  });
  for (let start = 0; root === null && start < xml.length; start += HEAD_CHUNK) {
    parser.write(xml.slice(start, start + HEAD_CHUNK));
  }
  return root;
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
