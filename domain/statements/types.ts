/**
 * The shape every statement source (MT940, camt.053, the bank API) is parsed into before ingest.
 * It is the JSON contract of `cli statements parse` (DESIGN.md "Contracts"); keep field names stable.
 */

/** A calendar date as the bank wrote it, `YYYY-MM-DD`; never shifted by a time zone. */
export type IsoDate = string;

export interface Balance {
  date: IsoDate;
  /** Signed integer minor units of the statement currency (debit balance negative). */
  amountCents: number;
}

export interface StatementEntry {
  bookingDate: IsoDate;
  valueDate: IsoDate;
  /** Signed integer minor units: credit positive, debit negative; a reversal flips the sign of its original. */
  amountCents: number;
  currency: string;
  counterpartyIban: string | null;
  counterpartyName: string | null;
  description: string;
  endToEndId: string | null;
  /** The bank's own id of the entry (camt AcctSvcrRef, MT940 bank reference), when it gave one. */
  bankReference: string | null;
  bankTransactionCode: string | null;
  /** Unique per account: see domain/dedupe.ts. */
  dedupeKey: string;
}

export interface Statement {
  /** IBAN where the file names one, else the bank's account id as written. */
  account: string;
  currency: string;
  statementId: string | null;
  sequence: string | null;
  /**
   * As the file gives them; one the file leaves out is computed from the other and the entries (with a warning).
   * Null only when it gives neither and so nothing can be computed (a camt.053 statement without balances).
   */
  openingBalance: Balance | null;
  closingBalance: Balance | null;
  entries: StatementEntry[];
}

export interface ParseWarning {
  /** 1-based line in the file where the problem sits, when known. */
  line: number | null;
  message: string;
}

export interface StatementFile {
  format: 'mt940' | 'camt.053';
  statements: Statement[];
  warnings: ParseWarning[];
}

/** A file the parser cannot read. `line` is 1-based; the message names what is wrong. */
export class StatementParseError extends Error {
  constructor(
    message: string,
    readonly line: number | null = null,
  ) {
    super(line === null ? message : `line ${line}: ${message}`);
    this.name = 'StatementParseError';
  }
}

/**
 * A readable file with a value the books cannot hold as it is (an identifier longer than its column: see
 * domain/value-limits.ts). Refused as a whole, naming the line, so nothing of the file is half-imported.
 */
export class StatementValueError extends StatementParseError {
  constructor(message: string, line: number | null = null) {
    super(message, line);
    this.name = 'StatementValueError';
  }
}
