import { assignDedupeKeys, bankIdKey } from '../dedupe';
import { statementAccount } from './mt940/accounts';
import { balanceChainWarnings } from './mt940/balance-chain';
import { fitEntries } from './mt940/fit';
import { readInformation } from './mt940/information';
import type { InformationLines } from './mt940/information-lines';
import { readStatements, type StatementDraft } from './mt940/message-structure';
import type { StatementLine } from './mt940/statement-line';
import type { ParseWarning, Statement, StatementEntry, StatementFile } from './types';

/**
 * Parses an MT940 file as the Dutch banks (ING, Rabobank, ABN AMRO, Knab, SNS/ASN/RegioBank, Triodos, bunq) and
 * German banks write it. Strict where data would be lost (an unreadable amount, date or statement line, a
 * missing opening balance, a tag out of place: StatementParseError naming the line); tolerant where banks merely
 * differ (headers, wrappers, line endings, wrapped fields, padded amounts, a closing balance left out, :86:
 * dialects), saying in a warning where the file was read generously. A balance chain that does not close is a
 * warning.
 * Values are fitted to the database by the rule of domain/value-limits.ts (mt940/fit.ts).
 *
 * bankTransactionCode is the :61: transaction type (NTRF, N426, NIOB): every bank writes it, whereas ING's
 * /TRCD/ or the German GV code exist in one dialect each.
 *
 * The text is read in a single pass: besides the result, memory holds only per-account bookkeeping.
 */
export function parseMt940(text: string): StatementFile {
  const readWarnings: ParseWarning[] = [];
  const drafts = readStatements(text, toEntry, readWarnings);
  const fitWarnings = fitEntries(drafts);
  const statements = drafts.map(toStatement);
  const warnings: ParseWarning[] = readWarnings;
  warnings.push(
    ...balanceChainWarnings(
      drafts.map((draft, i) => ({
        account: statements[i].account,
        number: draft.number,
        line: draft.line,
        currency: statements[i].currency,
        opening: draft.opening,
        closing: draft.closing,
        entries: draft.entries,
      })),
    ),
  );
  warnings.push(...fitWarnings);
  assignKeysAndCheckReferences(statements, drafts, warnings);
  return { format: 'mt940', statements, warnings };
}

function toEntry(statementLine: StatementLine, information: InformationLines, currency: string): StatementEntry {
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
    // The bank's reference where there is one (assignDedupeKeys's rule; it is trimmed and not empty, or null),
    // else set once all entries of the account are read.
    dedupeKey: statementLine.bankReference === null ? '' : bankIdKey(statementLine.bankReference),
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
  /** Indexes of the account's statements, in file order. */
  statements: number[];
  /**
   * The bank's references so far, while each was greater than the one before (as banks number them): then none
   * can repeat, which is checked without a map.
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
      account = { statements: [], lastReference: null, ascending: true, firstLines: null };
      accounts.set(statement.account, account);
    }
    account.statements.push(s);
    const lines = drafts[s].entryLines;
    const { entries } = statement;
    for (let e = 0; e < entries.length; e++) {
      const reference = entries[e].bankReference;
      if (reference === null) continue;
      if (account.ascending) {
        if (account.lastReference === null || reference > account.lastReference) {
          account.lastReference = reference;
          continue;
        }
        account.ascending = false;
        account.firstLines = firstLines(account.statements, statements, drafts, e);
      }
      const first = account.firstLines?.get(reference);
      if (first === undefined) account.firstLines?.set(reference, lines[e]);
      else {
        warnings.push({
          line: lines[e],
          message:
            `bank reference ${reference} of ${statement.account} was already used at line ${first}; ` +
            'both entries get the same dedupe key',
        });
      }
    }
  });
  for (const account of accounts.values()) {
    // The entries without a bank reference are keyed by fingerprint, counting identical ones in the account.
    const unkeyed = account.statements.flatMap((s) =>
      statements[s].entries.filter((entry) => entry.bankReference === null),
    );
    if (unkeyed.length === 0) continue;
    assignDedupeKeys(unkeyed).forEach((key, i) => {
      unkeyed[i].dedupeKey = key;
    });
  }
}

/**
 * Line of the first entry with each bank reference, in the account's statements (`indexes`) before the last one's
 * entry number `count`.
 */
function firstLines(
  indexes: readonly number[],
  statements: readonly Statement[],
  drafts: readonly StatementDraft<StatementEntry>[],
  count: number,
): Map<string, number> {
  const first = new Map<string, number>();
  indexes.forEach((s, i) => {
    const { entries } = statements[s];
    const end = i === indexes.length - 1 ? count : entries.length;
    for (let e = 0; e < end; e++) {
      const reference = entries[e].bankReference;
      if (reference !== null && !first.has(reference)) first.set(reference, drafts[s].entryLines[e]);
    }
  });
  return first;
}
