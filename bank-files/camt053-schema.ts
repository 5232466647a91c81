import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { type Camt053Version, versionOfRoot } from '../domain/statements/camt053/versions';
import { type ParseWarning, StatementParseError } from '../domain/statements/types';
import { readRootTag } from './xml';

/**
 * Checks a camt.053 document against the ISO 20022 XSD of the version its namespace announces.
 *
 * Real exports do not always pass their own schema (a bank writes `BIC` where .04 expects `BICFI`, or `BICFI` in
 * .02; a statement leaves out the balances the schema requires), and the parser reads what it needs regardless,
 * checking it more closely than the schema can (amounts, signs, dates, the balance adding up), so every deviation
 * comes back as a warning; this never rejects a file: refusing a file the bank has always sent for an element
 * nobody reads would make the import unusable. It throws a StatementParseError only when it cannot tell which schema applies: the root is no camt.053
 * of a supported version, or the document is unreadable (or has a DOCTYPE) before its root element.
 */
export async function validateCamt053Schema(xml: string): Promise<ParseWarning[]> {
  const version = readCamt053Version(xml);
  const report = await runXmllint(xml, version);
  return limit(deviations(report, version));
}

/** The version the root element announces, reading no further than the root's start tag. */
function readCamt053Version(xml: string): Camt053Version {
  const root = readRootTag(xml);
  if (root === null) throw new StatementParseError('the document has no root element');
  return versionOfRoot(root.name, root.namespace, root.line);
}

const DOCUMENT_NAME = 'statement.xml';
const MAX_REPORTED = 100;

/** `npm run build` copies the schemas next to the compiled module, so source and dist read the same place. */
const SCHEMA_DIRECTORIES = [join(__dirname, 'xsd')];

const schemaCache = new Map<Camt053Version, string>();

function schemaText(version: Camt053Version): string {
  const cached = schemaCache.get(version);
  if (cached !== undefined) return cached;
  const file = SCHEMA_DIRECTORIES.map((dir) => join(dir, `${version}.xsd`)).find((path) => existsSync(path));
  if (file === undefined) throw new Error(`XSD for ${version} not found in ${SCHEMA_DIRECTORIES.join(' or ')}`);
  const text = readFileSync(file, 'utf8');
  schemaCache.set(version, text);
  return text;
}

/**
 * xmllint's stderr. Streaming mode keeps memory flat (a 6 MB file already exhausts the default wasm heap as a
 * tree); in that mode a well-formedness error rejects the promise with the same stderr, so both paths end here.
 */
async function runXmllint(xml: string, version: Camt053Version): Promise<string> {
  try {
    const result = await validateXML({
      xml: { fileName: DOCUMENT_NAME, contents: xml },
      schema: { fileName: `${version}.xsd`, contents: schemaText(version) },
      stream: true,
    });
    return result.rawOutput;
  } catch (error) {
    if (error instanceof Error && typeof (error as { code?: unknown }).code === 'number') return error.message;
    throw error;
  }
}

const LOCATED = /^statement\.xml:(\d+): (.*)$/;

/** Located messages become warnings; xmllint's source excerpts and caret lines under them are dropped. */
function deviations(report: string, version: Camt053Version): ParseWarning[] {
  const warnings: ParseWarning[] = [];
  for (const line of report.split('\n')) {
    const located = LOCATED.exec(line);
    if (located !== null) {
      warnings.push({ line: Number(located[1]), message: `${version} schema: ${tidy(located[2])}` });
    } else if (line.startsWith(`${DOCUMENT_NAME} : failed to parse`)) {
      // Streaming xmllint does not say where; parseCamt053 rejects such a file with the line.
      const message = `${version} schema: the document is not well-formed XML, so it was not fully checked`;
      warnings.push({ line: null, message });
    }
  }
  return warnings;
}

/** Namespace-qualified names make every message three lines long; within one document they add nothing. */
function tidy(message: string): string {
  return message.replace(/^Schemas validity error : /, '').replace(/\{urn:iso:std:iso:20022:tech:xsd:[^}]*\}/g, '');
}

function limit(warnings: ParseWarning[]): ParseWarning[] {
  if (warnings.length <= MAX_REPORTED) return warnings;
  return [
    ...warnings.slice(0, MAX_REPORTED),
    { line: null, message: `${warnings.length - MAX_REPORTED} more schema deviations not listed` },
  ];
}
