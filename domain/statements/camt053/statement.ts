import { assignDedupeKeys } from '../../dedupe';
import { entryName, fitEntry } from '../../fit-entry';
import { type Balance, type ParseWarning, type Statement, StatementParseError, StatementValueError } from '../types';
import { settleBalances } from './balances';
import { normaliseIban } from './details';
import { type EntryReading, entryStatus, readEntry } from './entry';
import { type Money, readDate, readMoney, readSign, signed } from './values';
import { type XmlElement, child, textAt } from './xml';

/**
 * Collects the children of one `Stmt` as the reader streams them and turns them into a Statement when the
 * statement closes. Entries are mapped as they arrive so their element trees can be dropped at once.
 */
export class StatementCollector {
  private statementId: string | null = null;
  private electronicSequence: string | null = null;
  private legalSequence: string | null = null;
  private account: XmlElement | undefined;
  private readonly balances: XmlElement[] = [];
  private readonly entries: EntryReading[] = [];

  constructor(
    private readonly line: number,
    private readonly warnings: ParseWarning[],
  ) {}

  add(element: XmlElement): void {
    switch (element.name) {
      case 'Id':
        this.statementId = textAt(element);
        break;
      case 'ElctrncSeqNb':
        this.electronicSequence = textAt(element);
        break;
      case 'LglSeqNb':
        this.legalSequence = textAt(element);
        break;
      case 'Acct':
        this.account = element;
        break;
      case 'Bal':
        this.balances.push(element);
        break;
      case 'Ntry':
        this.addEntry(element);
        break;
    }
  }

  finish(): Statement {
    const account = accountId(this.account);
    if (account === null) {
      throw new StatementParseError('statement has no account (Acct/Id/IBAN or Acct/Id/Othr/Id)', this.line);
    }
    const opening = this.balance(['OPBD', 'PRCD']);
    const closing = this.balance(['CLBD']);
    const currency = this.currency(opening, closing);
    const currencyWarnings = this.currencyWarnings(currency, opening, closing);
    this.warnings.push(...currencyWarnings);
    const settled = settleBalances(
      {
        name: this.name(),
        line: this.line,
        currency,
        opening: opening?.balance ?? null,
        closing: closing?.balance ?? null,
        comparable: currencyWarnings.length === 0,
      },
      this.entries.map((reading) => ({ ...reading, ...reading.entry, name: this.entryName(reading) })),
    );
    this.warnings.push(...settled.warnings);
    this.warnAboutMissingReferences();
    this.warnAboutSharedReferences();

    const drafts = this.entries.map(({ entry, reversal }) =>
      settled.flipReversals && reversal ? { ...entry, amountCents: -entry.amountCents } : entry,
    );
    const keys = assignDedupeKeys(drafts);
    return {
      account,
      currency,
      statementId: this.statementId,
      sequence: this.electronicSequence ?? this.legalSequence,
      openingBalance: settled.opening,
      closingBalance: settled.closing,
      entries: drafts.map((entry, i) => ({ ...entry, dedupeKey: keys[i] })),
    };
  }

  private addEntry(ntry: XmlElement): void {
    const status = entryStatus(ntry);
    // Pending or informational entries are not on the books: the balance excludes them and the bank books
    // them later under their own entry, so taking them now would import a payment that may never happen.
    if (status !== null && status !== 'BOOK') {
      const message = `entry with status ${status} skipped: only booked (BOOK) entries are imported`;
      this.warnings.push({ line: ntry.line, message });
      return;
    }
    const reading = readEntry(ntry, normaliseIban(accountId(this.account)));
    // The rule of domain/value-limits.ts, before the dedupe keys are made of the values as stored.
    const fit = fitEntry(reading.entry);
    const name = this.entryName(reading);
    if (fit.refusals.length > 0) throw new StatementValueError(`${name}: ${fit.refusals.join('; ')}`, ntry.line);
    for (const warning of fit.warnings) this.warnings.push({ line: ntry.line, message: `${name}: ${warning}` });
    for (const note of reading.notes) this.warnings.push({ line: ntry.line, message: `${name} ${note}` });
    this.entries.push(reading);
  }

  private name(): string {
    return this.statementId === null ? `statement at line ${this.line}` : `statement ${this.statementId}`;
  }

  private entryName(reading: EntryReading): string {
    return entryName(reading.entry.bankReference, `at line ${reading.line}`);
  }

  private balance(codes: string[]): BalanceReading | null {
    for (const code of codes) {
      const element = this.balances.find((b) => textAt(b, 'Tp', 'CdOrPrtry', 'Cd') === code);
      if (element !== undefined) return readBalance(element, code);
    }
    return null;
  }

  /** The account's, else its balances', else its entries': a statement without balances still has a currency. */
  private currency(...balances: (BalanceReading | null)[]): string {
    const currency =
      textAt(this.account, 'Ccy') ??
      balances.find((b) => b !== null)?.money.currency ??
      this.entries[0]?.entry.currency;
    if (currency === undefined) {
      throw new StatementParseError(
        `${this.name()} has no currency: no Acct/Ccy, balance or entry names one`,
        this.line,
      );
    }
    return currency;
  }

  private currencyWarnings(currency: string, ...balances: (BalanceReading | null)[]): ParseWarning[] {
    const warning = (what: string, other: string, line: number): ParseWarning => ({
      line,
      message: `${what} is in ${other}, the statement in ${currency}; the balance chain is not checked`,
    });
    const balanceWarnings = balances
      .filter((b): b is BalanceReading => b !== null && b.money.currency !== currency)
      .map((b) => warning(`${b.code} balance`, b.money.currency, b.line));
    const entryWarnings = this.entries
      .filter((r) => r.entry.currency !== currency)
      .map((r) => warning('entry', r.entry.currency, r.line));
    return [...balanceWarnings, ...entryWarnings];
  }

  /**
   * Without the bank's id an entry's dedupe key is a fingerprint of its values, numbered among identical ones in
   * file order: the same file always gives the same keys, but a channel that words the payment differently
   * would not match it. Said once per statement, naming the entries' lines.
   */
  private warnAboutMissingReferences(): void {
    const lines = this.entries.filter((r) => !r.entry.bankReference?.trim()).map((r) => r.line);
    if (lines.length === 0) return;
    const listed = lines.slice(0, MAX_LISTED_LINES).join(', ');
    const more = lines.length > MAX_LISTED_LINES ? ` and ${lines.length - MAX_LISTED_LINES} more` : '';
    const count = lines.length === 1 ? '1 entry' : `${lines.length} entries`;
    this.warnings.push({
      line: lines[0],
      message:
        `${count} of ${this.name()} ${lines.length === 1 ? 'has' : 'have'} no bank reference (AcctSvcrRef), ` +
        `at line${lines.length === 1 ? '' : 's'} ${listed}${more}: each is keyed by a fingerprint of its dates, ` +
        'amount, counterparty IBAN, end-to-end id and description, numbered among identical ones',
    });
  }

  /** Entries sharing a bank reference share a dedupe key, and ingest would keep only one of them. */
  private warnAboutSharedReferences(): void {
    const seen = new Set<string>();
    for (const { entry, line } of this.entries) {
      const reference = entry.bankReference?.trim();
      if (!reference) continue;
      if (seen.has(reference)) {
        const message =
          `bank reference (AcctSvcrRef) "${reference}" is used by more than one entry; ` +
          'they would be deduplicated into one';
        this.warnings.push({ line, message });
      }
      seen.add(reference);
    }
  }
}

/** Enough to find the entries in the file; a file of thousands would otherwise repeat each line in one warning. */
const MAX_LISTED_LINES = 10;

function accountId(account: XmlElement | undefined): string | null {
  return textAt(account, 'Id', 'IBAN') ?? textAt(account, 'Id', 'Othr', 'Id');
}

interface BalanceReading {
  balance: Balance;
  money: Money;
  code: string;
  line: number;
}

function readBalance(element: XmlElement, code: string): BalanceReading {
  const what = `${code} balance`;
  const amount = child(element, 'Amt');
  const money = readMoney(amount, what, element.line);
  const sign = readSign(element, what);
  const date = readDate(child(element, 'Dt'), what);
  if (date === null) throw new StatementParseError(`${what} has no date (Dt/Dt or Dt/DtTm)`, element.line);
  return { balance: { date, amountCents: signed(sign, money) }, money, code, line: amount?.line ?? element.line };
}
