import { StatementParseError } from '../types';

/** The camt.053 versions Dutch banks deliver: .02 (ING, Rabobank, ABN AMRO for years), .04 and .08 (newer exports). */
export const CAMT053_VERSIONS = ['camt.053.001.02', 'camt.053.001.04', 'camt.053.001.08'] as const;
export type Camt053Version = (typeof CAMT053_VERSIONS)[number];

const NAMESPACE_PREFIX = 'urn:iso:std:iso:20022:tech:xsd:';

export function namespaceOf(version: Camt053Version): string {
  return `${NAMESPACE_PREFIX}${version}`;
}

/** The version a root element announces, or a StatementParseError saying what the document is instead. */
export function versionOfRoot(localName: string, namespace: string, line: number): Camt053Version {
  const version = CAMT053_VERSIONS.find((v) => namespaceOf(v) === namespace);
  if (localName !== 'Document' || version === undefined) {
    const found =
      namespace === '' ? `<${localName}> without a namespace` : `<${localName}> in namespace "${namespace}"`;
    const expected = CAMT053_VERSIONS.map(namespaceOf).join(', ');
    throw new StatementParseError(
      `not a supported camt.053 document: root element is ${found}; expected <Document> in one of ${expected}`,
      line,
    );
  }
  return version;
}
