import { assignDedupeKeys } from '../dedupe';
import { statementAccount } from './mt940/accounts';
import { balanceChainWarnings } from './mt940/balance-chain';
import { readInformation } from './mt940/information';
import { readStatements, type StatementDraft } from './mt940/message-structure';
import { sourceLines } from './mt940/source-lines';
import type { ParseWarning, Statement, StatementEntry, StatementFile } from './types';

/**
 * Parses an MT940 file as the Dutch banks (ING, Rabobank, ABN AMRO, Knab, SNS/ASN/RegioBank, Triodos, bunq) and
 * German banks write it. Strict where data would be lost (an unreadable amount, date or statement line, a
 * missing balance, a tag out of place: StatementParseError naming the line); tolerant where banks merely
 * differ (headers, wrappers, line endings, :86: dialects). A balance chain that does not close is a warning.
 *
 * bankTransactionCode is the :61: transaction type (NTRF, N426, NIOB): every bank writes it, whereas ING's
 * /TRCD/ or the German GV code exist in one dialect each.
 */
export function parseMt940(text: string): StatementFile {
  const drafts = readStatements(sourceLines(text));
  const statements = drafts.map(withoutDedupeKeys);
  const warnings: ParseWarning[] = [
    ...balanceChainWarnings(
      drafts.map((draft, i) => ({
        account: statements[i].account,
        currency: statements[i].currency,
        opening: draft.opening,
        closing: draft.closing,
        entryAmounts: statements[i].entries.map((entry) => entry.amountCents),
      })),
    ),
    ...sharedBankReferenceWarnings(statements, drafts),
  ];
  return { format: 'mt940', statements: withDedupeKeys(statements), warnings };
}

type UnkeyedEntry = Omit<StatementEntry, 'dedupeKey'>;
type UnkeyedStatement = Omit<Statement, 'entries'> & { entries: UnkeyedEntry[] };

function withoutDedupeKeys(draft: StatementDraft): UnkeyedStatement {
  const currency = draft.opening.currency;
  const [statementId, sequence] = (draft.number ?? '').split('/', 2);
  return {
    account: statementAccount(draft.account, currency),
    currency,
    statementId: statementId || null,
    sequence: sequence || null,
    openingBalance: { date: draft.opening.date, amountCents: draft.opening.amountCents },
    closingBalance: { date: draft.closing.date, amountCents: draft.closing.amountCents },
    entries: draft.entries.map(({ statementLine, information }) => {
      const details = readInformation(information, statementLine);
      return {
        bookingDate: statementLine.bookingDate,
        valueDate: statementLine.valueDate,
        amountCents: statementLine.amountCents,
        currency,
        counterpartyIban: details.counterpartyIban,
        counterpartyName: details.counterpartyName,
        description: details.description,
        endToEndId: details.endToEndId,
        bankReference: statementLine.bankReference,
        bankTransactionCode: statementLine.transactionType,
      };
    }),
  };
}

/**
 * Occurrence indexes of identical payments count per account over the whole file, not per statement: the
 * pages of a multi-page statement (:60M:/:62M:) are one day of one account.
 */
function withDedupeKeys(statements: readonly UnkeyedStatement[]): Statement[] {
  const keyed = statements.map((statement) => ({
    ...statement,
    entries: statement.entries.map((entry): StatementEntry => ({ ...entry, dedupeKey: '' })),
  }));
  const entriesByAccount = new Map<string, StatementEntry[]>();
  for (const statement of keyed) {
    const entries = entriesByAccount.get(statement.account) ?? [];
    for (const entry of statement.entries) entries.push(entry);
    entriesByAccount.set(statement.account, entries);
  }
  for (const entries of entriesByAccount.values()) {
    assignDedupeKeys(entries).forEach((key, i) => {
      entries[i].dedupeKey = key;
    });
  }
  return keyed;
}

/** The bank's reference is the dedupe key when present: a bank that reuses one within an account loses an entry. */
function sharedBankReferenceWarnings(
  statements: readonly UnkeyedStatement[],
  drafts: readonly StatementDraft[],
): ParseWarning[] {
  const firstLine = new Map<string, number>();
  const warnings: ParseWarning[] = [];
  statements.forEach((statement, s) =>
    statement.entries.forEach((entry, e) => {
      if (entry.bankReference === null) return;
      const key = `${statement.account}\u001f${entry.bankReference}`;
      const line = drafts[s].entries[e].line;
      const first = firstLine.get(key);
      if (first === undefined) firstLine.set(key, line);
      else {
        warnings.push({
          line,
          message:
            `bank reference ${entry.bankReference} of ${statement.account} was already used at line ${first}; ` +
            'both entries get the same dedupe key',
        });
      }
    }),
  );
  return warnings;
}
