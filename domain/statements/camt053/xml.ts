/**
 * The XML of a camt.053 document as the reader at the edge (bank-files/xml.ts) hands it over: a stream of
 * start tags, text and end tags in document order. domain/ never parses XML itself, so the mapping stays pure
 * and can be fed events in a test.
 */

/** A start tag: its local name, namespace URI and 1-based line. */
export interface XmlStartTag {
  readonly name: string;
  readonly namespace: string;
  readonly line: number;
  /** Attributes without a namespace (camt only has those, e.g. `Ccy`), by name. */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * What the reader reports, synchronously and in order; text includes CDATA. A handler may throw (a
 * StatementParseError), which ends the reading; the reader throws one itself when the XML is not well-formed.
 */
export interface XmlEvents {
  startTag(tag: XmlStartTag): void;
  text(text: string): void;
  endTag(): void;
}

/** One document, ready to be read: reports all of it to `events`, then returns. */
export type XmlDocument = (events: XmlEvents) => void;

/** One element of the camt namespace, by local name, with its 1-based line for error messages. */
export interface XmlElement {
  readonly name: string;
  readonly line: number;
  /** Attributes without a namespace (camt only has those, e.g. `Ccy`), by name. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
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
