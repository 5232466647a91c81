import { parseMt940 } from '../domain/statements/mt940';
import { recognisedFormat } from '../domain/statements/parse';
import type { StatementFile } from '../domain/statements/types';
import { parseCamt053 } from './camt053';
import { validateCamt053Schema } from './camt053-schema';

/**
 * Recognises the format and parses. A camt.053 file is also checked against its ISO 20022 schema; deviations come
 * back as warnings after the parser's own, since real exports do not always pass their schema (camt053-schema.ts).
 */
export async function parseStatementFile(text: string): Promise<StatementFile> {
  if (recognisedFormat(text) === 'mt940') return parseMt940(text);
  const file = parseCamt053(text);
  const schemaWarnings = await validateCamt053Schema(text);
  return { ...file, warnings: [...file.warnings, ...schemaWarnings] };
}
