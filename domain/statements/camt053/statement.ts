import { assignDedupeKeys } from '../../dedupe';
import { entryName, fitEntry } from '../../fit-entry';
import { type Balance, type ParseWarning, type Statement, StatementParseError, StatementValueError } from '../types';
import { type EntryReading, entryStatus, normaliseIban, readEntry } from './entry';
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
    const opening = this.requiredBalance(['OPBD', 'PRCD'], 'opening balance (Bal of type OPBD or PRCD)');
    const closing = this.requiredBalance(['CLBD'], 'closing balance (Bal of type CLBD)');
    const currency = textAt(this.account, 'Ccy') ?? opening.money.currency;
    const currencyWarnings = this.currencyWarnings(currency, opening, closing);
    this.warnings.push(...currencyWarnings);
    if (currencyWarnings.length === 0) this.checkChain(opening.balance, closing.balance, currency);
    this.warnAboutSharedReferences();

    const drafts = this.entries.map((reading) => reading.entry);
    const keys = assignDedupeKeys(drafts);
    return {
      account,
      currency,
      statementId: this.statementId,
      sequence: this.electronicSequence ?? this.legalSequence,
      openingBalance: opening.balance,
      closingBalance: closing.balance,
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
    const name = entryName(reading.entry.bankReference, `at line ${ntry.line}`);
    if (fit.refusals.length > 0) throw new StatementValueError(`${name}: ${fit.refusals.join('; ')}`, ntry.line);
    for (const warning of fit.warnings) this.warnings.push({ line: ntry.line, message: `${name}: ${warning}` });
    this.entries.push(reading);
  }

  private requiredBalance(codes: string[], what: string): BalanceReading {
    for (const code of codes) {
      const element = this.balances.find((b) => textAt(b, 'Tp', 'CdOrPrtry', 'Cd') === code);
      if (element !== undefined) return readBalance(element, code);
    }
    const name = this.statementId === null ? 'statement' : `statement ${this.statementId}`;
    throw new StatementParseError(`${name} has no ${what}`, this.line);
  }

  private currencyWarnings(currency: string, ...balances: BalanceReading[]): ParseWarning[] {
    const warning = (what: string, other: string, line: number): ParseWarning => ({
      line,
      message: `${what} is in ${other}, the statement in ${currency}; the balance chain is not checked`,
    });
    const balanceWarnings = balances
      .filter((b) => b.money.currency !== currency)
      .map((b) => warning(`${b.code} balance`, b.money.currency, b.line));
    const entryWarnings = this.entries
      .filter((r) => r.entry.currency !== currency)
      .map((r) => warning('entry', r.entry.currency, r.line));
    return [...balanceWarnings, ...entryWarnings];
  }

  /** A chain that does not close means entries are missing or misread; the file is still the bank's truth. */
  private checkChain(opening: Balance, closing: Balance, currency: string): void {
    const total = this.entries.reduce((sum, r) => sum + r.entry.amountCents, 0);
    if (opening.amountCents + total === closing.amountCents) return;
    const reversals = this.entries.filter((r) => r.reversal).reduce((sum, r) => sum + r.entry.amountCents, 0);
    const flippedWouldClose = reversals !== 0 && opening.amountCents + total - 2 * reversals === closing.amountCents;
    // Some banks outside the ISO usage rule give a reversal its original's CdtDbtInd; say so when that fits.
    const hint = flippedWouldClose
      ? '; it would close if reversals (RvslInd) carried their original direction in CdtDbtInd, ' +
        'against the ISO 20022 usage rule'
      : '';
    const sum = opening.amountCents + total;
    this.warnings.push({
      line: this.line,
      message:
        `balance chain does not close for ${this.statementId ?? 'statement'}: opening ${opening.amountCents} + ` +
        `entries ${total} = ${sum}, but closing is ${closing.amountCents} (${currency} minor units)${hint}`,
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
