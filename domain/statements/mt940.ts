import { assignDedupeKeys } from '../dedupe';
import { statementAccount } from './mt940/accounts';
import { balanceChainWarnings } from './mt940/balance-chain';
import { readInformation } from './mt940/information';
import { readStatements, type StatementDraft } from './mt940/message-structure';
import type { StatementLine } from './mt940/statement-line';
import type { ParseWarning, Statement, StatementEntry, StatementFile } from './types';

/**
 * Parses an MT940 file as the Dutch banks (ING, Rabobank, ABN AMRO, Knab, SNS/ASN/RegioBank, Triodos, bunq) and
 * German banks write it. Strict where data would be lost (an unreadable amount, date or statement line, a
 * missing balance, a tag out of place: StatementParseError naming the line); tolerant where banks merely
 * differ (headers, wrappers, line endings, :86: dialects). A balance chain that does not close is a warning.
 *
 * bankTransactionCode is the :61: transaction type (NTRF, N426, NIOB): every bank writes it, whereas ING's
 * /TRCD/ or the German GV code exist in one dialect each.
 *
 * The text is read in a single pass: besides the result, memory holds only per-account bookkeeping.
 */
export function parseMt940(text: string): StatementFile {
  const drafts = readStatements(text, toEntry);
  const statements = drafts.map(toStatement);
  const warnings: ParseWarning[] = balanceChainWarnings(
    drafts.map((draft, i) => ({
      account: statements[i].account,
      currency: statements[i].currency,
      opening: draft.opening,
      closing: draft.closing,
      entries: draft.entries,
    })),
  );
  assignKeysAndCheckReferences(statements, drafts, warnings);
  return { format: 'mt940', statements, warnings };
}

function toEntry(statementLine: StatementLine, information: readonly string[], currency: string): StatementEntry {
  const entry: StatementEntry = {
    bookingDate: statementLine.bookingDate,
    valueDate: statementLine.valueDate,
    amountCents: statementLine.amountCents,
    currency,
    // Read from the :86: information below.
    counterpartyIban: null,
    counterpartyName: null,
    description: '',
    endToEndId: null,
    bankReference: statementLine.bankReference,
    bankTransactionCode: statementLine.transactionType,
    // Set once all entries of the account are read.
    dedupeKey: '',
  };
  readInformation(information, statementLine, entry);
  return entry;
}

function toStatement(draft: StatementDraft<StatementEntry>): Statement {
  const currency = draft.opening.currency;
  const [statementId, sequence] = (draft.number ?? '').split('/', 2);
  return {
    account: statementAccount(draft.account, currency),
    currency,
    statementId: statementId || null,
    sequence: sequence || null,
    openingBalance: { date: draft.opening.date, amountCents: draft.opening.amountCents },
    closingBalance: { date: draft.closing.date, amountCents: draft.closing.amountCents },
    entries: draft.entries,
  };
}

interface AccountEntries {
  entries: StatementEntry[];
  /** The :61: line of each entry. */
  lines: number[];
  /**
   * The bank's references so far, while each was greater than the one before (as banks number them): then none
   * can repeat, which is checked without a map. Null once they are not, and firstLines holds them.
   */
  lastReference: string | null;
  ascending: boolean;
  /** Line of the first entry with each bank reference, once the references are not ascending. */
  firstLines: Map<string, number> | null;
}

/**
 * Dedupe keys, and a warning where the bank reuses its reference within an account: the bank's reference is the
 * dedupe key when present, so such entries get the same key and one of them is lost. Occurrence indexes of
 * identical payments count per account over the whole file, not per statement: the pages of a multi-page
 * statement (:60M:/:62M:) are one day of one account.
 */
function assignKeysAndCheckReferences(
  statements: readonly Statement[],
  drafts: readonly StatementDraft<StatementEntry>[],
  warnings: ParseWarning[],
): void {
  const accounts = new Map<string, AccountEntries>();
  statements.forEach((statement, s) => {
    let account = accounts.get(statement.account);
    if (account === undefined) {
      account = { entries: [], lines: [], lastReference: null, ascending: true, firstLines: null };
      accounts.set(statement.account, account);
    }
    const lines = drafts[s].entryLines;
    const { entries } = statement;
    for (let e = 0; e < entries.length; e++) {
      const entry = entries[e];
      const line = lines[e];
      account.entries.push(entry);
      account.lines.push(line);
      const reference = entry.bankReference;
      if (reference === null) continue;
      if (account.ascending) {
        if (account.lastReference === null || reference > account.lastReference) {
          account.lastReference = reference;
          continue;
        }
        account.ascending = false;
        account.firstLines = firstLines(account.entries, account.lines, account.entries.length - 1);
      }
      const first = account.firstLines?.get(reference);
      if (first === undefined) account.firstLines?.set(reference, line);
      else {
        warnings.push({
          line,
          message:
            `bank reference ${reference} of ${statement.account} was already used at line ${first}; ` +
            'both entries get the same dedupe key',
        });
      }
    }
  });
  for (const { entries } of accounts.values()) {
    assignDedupeKeys(entries).forEach((key, i) => {
      entries[i].dedupeKey = key;
    });
  }
}

/** Line of the first of the first `count` entries with each bank reference. */
function firstLines(entries: readonly StatementEntry[], lines: readonly number[], count: number): Map<string, number> {
  const first = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const reference = entries[i].bankReference;
    if (reference !== null && !first.has(reference)) first.set(reference, lines[i]);
  }
  return first;
}
