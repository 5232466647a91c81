import { mapCamt053 } from '../domain/statements/camt053';
import type { StatementFile } from '../domain/statements/types';
import { xmlDocument } from './xml';

/** Parses a camt.053 document: saxes reads the XML, domain/statements/camt053.ts maps it (see there). */
export function parseCamt053(xml: string): StatementFile {
  return mapCamt053(xmlDocument(xml));
}
