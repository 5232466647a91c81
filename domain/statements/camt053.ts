import { readCamt053 } from './camt053/document';
import { StatementCollector } from './camt053/statement';
import type { XmlDocument } from './camt053/xml';
import type { ParseWarning, Statement, StatementFile } from './types';

/**
 * Maps an ISO 20022 camt.053 bank-to-customer statement (versions .001.02, .001.04 and .001.08) as ING,
 * Rabobank and ABN AMRO deliver it; the XML is read at the edge (bank-files/camt053.ts) and reaches this
 * as a stream of events.
 *
 * Tolerant where banks legitimately differ (Dt or DtTm, IBAN or other account id, account currency or only the
 * balance's, party name with or without the .08 `Pty` wrapper, a batch booked as one entry, reversals in either
 * direction, amounts in another currency, no AcctSvcrRef, a balance left out), saying in the warnings what was
 * assumed and where; strict where data would be lost: a missing or unreadable amount, date or credit/debit
 * indicator, a statement without account, a balance that does not close, or malformed XML throws a
 * StatementParseError with the line, and nothing of the file is imported.
 */
export function mapCamt053(document: XmlDocument): StatementFile {
  const statements: Statement[] = [];
  const warnings: ParseWarning[] = [];
  let collector: StatementCollector | undefined;
  readCamt053(document, {
    startStatement: (line) => {
      collector = new StatementCollector(line, warnings);
    },
    statementChild: (element) => collector?.add(element),
    endStatement: () => {
      if (collector !== undefined) statements.push(collector.finish());
      collector = undefined;
    },
  });
  return { format: 'camt.053', statements, warnings };
}
