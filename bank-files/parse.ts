import { parseMt940 } from '../domain/statements/mt940';
import { recognisedFormat } from '../domain/statements/parse';
import type { ParseWarning, StatementFile } from '../domain/statements/types';
import { withoutNul } from '../domain/value-limits';
import { parseCamt053 } from './camt053';
import { validateCamt053Schema } from './camt053-schema';

/**
 * Recognises the format and parses. A camt.053 file is also checked against its ISO 20022 schema; deviations come
 * back as warnings after the parser's own, since real exports do not always pass their schema (camt053-schema.ts).
 */
export async function parseStatementFile(text: string): Promise<StatementFile> {
  // NUL is a stray byte in text wherever it stands, and the database stores none (domain/value-limits.ts); XML
  // allows none either. A binary file still shows its other control characters to recognition.
  const clean = withoutNul(text);
  const format = recognisedFormat(clean);
  const nulWarnings = clean === text ? [] : [nulWarning(text)];
  if (format === 'mt940') {
    const file = parseMt940(clean);
    return { ...file, warnings: [...nulWarnings, ...file.warnings] };
  }
  const file = parseCamt053(clean);
  const schemaWarnings = await validateCamt053Schema(clean);
  return { ...file, warnings: [...nulWarnings, ...file.warnings, ...schemaWarnings] };
}

function nulWarning(text: string): ParseWarning {
  const first = text.indexOf('\u0000');
  const line = (text.slice(0, first).match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
  const count = text.length - withoutNul(text).length;
  return { line, message: `${count} NUL character${count === 1 ? '' : 's'} removed, the first on this line` };
}
