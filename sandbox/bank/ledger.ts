import { createHash } from 'node:crypto';
import { addDays } from './calendar';

/**
 * What the sandbox bank holds per account, so a test can compare what the platform imported with what the bank
 * has. Amounts are signed integer cents (debit negative), like the platform's own money.
 *
 * Entries are append-only and booked entries never get an earlier booking date than the booked entry before
 * them. That makes sequence order the booking order, so a transactions page token can be a plain sequence
 * number that neither skips nor repeats an entry when new ones arrive between pages.
 */

export type EntryStatus = 'booked' | 'pending';

export interface LedgerEntry {
  sequence: number;
  status: EntryStatus;
  /** Opaque id, stable for the same seed and booking day. */
  transactionId: string;
  /** The bank's statement reference (camt `AcctSvcrRef`); pending entries have none yet. */
  entryReference: string | null;
  /** For a pending entry: the day it is expected to be booked. */
  bookingDate: string;
  valueDate: string;
  amountCents: number;
  currency: 'EUR';
  counterpartyName: string | null;
  counterpartyIban: string | null;
  remittanceInformationUnstructured: string | null;
  /** A Dutch payment reference (betalingskenmerk) or an ISO 11649 RF creditor reference. */
  remittanceInformationStructured: string | null;
  endToEndId: string | null;
  mandateId: string | null;
  creditorId: string | null;
  /** ISO 20022 Domain-Family-SubFamily, e.g. PMNT-RCDT-ESCT. */
  bankTransactionCode: string;
}

/** What a producer (the generator, the admin API) supplies; the ledger assigns sequence and ids. */
export type EntryDraft = Omit<LedgerEntry, 'sequence' | 'transactionId' | 'entryReference'> & {
  /** Makes the ids: the same key on the same account and seed always gives the same ids. */
  idKey: string;
  /** A reference given by the admin lever, taken as it is instead of a made-up unique one. */
  entryReference?: string;
};

export interface Balance {
  balanceType: 'closingBooked' | 'interimBooked' | 'interimAvailable';
  referenceDate: string;
  amountCents: number;
}

export interface AccountLedger {
  iban: string;
  currency: 'EUR';
  openingBalance: { date: string; amountCents: number };
  entries: LedgerEntry[];
}

export class AccountBook {
  private readonly entries: LedgerEntry[] = [];
  private readonly references = new Set<string>();
  private lastBookedDate: string;

  constructor(
    readonly iban: string,
    private readonly idSalt: string,
    /** Balance at the end of this day, before the first entry. */
    readonly openingDate: string,
    readonly openingCents: number,
  ) {
    this.lastBookedDate = openingDate;
  }

  append(draft: EntryDraft): LedgerEntry {
    if (!Number.isInteger(draft.amountCents) || draft.amountCents === 0) {
      throw new Error(`ledger ${this.iban}: amount must be a non-zero whole number of cents`);
    }
    if (draft.status === 'booked') {
      if (draft.bookingDate < this.lastBookedDate) {
        throw new Error(`ledger ${this.iban}: booking date ${draft.bookingDate} is before ${this.lastBookedDate}`);
      }
      this.lastBookedDate = draft.bookingDate;
    }
    const { idKey, ...fields } = draft;
    const digest = createHash('sha256').update(`${this.idSalt}|${this.iban}|${idKey}`).digest();
    const entryReference =
      draft.status !== 'booked' ? null : (draft.entryReference ?? this.uniqueReference(draft.bookingDate, digest));
    const entry: LedgerEntry = {
      ...fields,
      sequence: this.entries.length + 1,
      transactionId: digest.subarray(0, 12).toString('hex'),
      entryReference,
    };
    this.entries.push(entry);
    return entry;
  }

  list(): readonly LedgerEntry[] {
    return this.entries;
  }

  balances(today: string): Balance[] {
    let closing = this.openingCents;
    let interim = this.openingCents;
    let pendingDebits = 0;
    for (const entry of this.entries) {
      if (entry.status === 'pending') {
        if (entry.amountCents < 0) pendingDebits += entry.amountCents;
        continue;
      }
      interim += entry.amountCents;
      if (entry.bookingDate < today) closing += entry.amountCents;
    }
    return [
      { balanceType: 'closingBooked', referenceDate: addDays(today, -1), amountCents: closing },
      { balanceType: 'interimBooked', referenceDate: today, amountCents: interim },
      { balanceType: 'interimAvailable', referenceDate: today, amountCents: interim + pendingDebits },
    ];
  }

  snapshot(): AccountLedger {
    return {
      iban: this.iban,
      currency: 'EUR',
      openingBalance: { date: this.openingDate, amountCents: this.openingCents },
      entries: this.entries.map((e) => ({ ...e })),
    };
  }

  /** Date plus ten digits, the numeric style Dutch banks use; unique per account as the platform dedupes on it. */
  private uniqueReference(bookingDate: string, digest: Buffer): string {
    let n = digest.readUIntBE(12, 5);
    let reference: string;
    do {
      reference = `${bookingDate.replace(/-/g, '')}${String(n % 10_000_000_000).padStart(10, '0')}`;
      n += 1;
    } while (this.references.has(reference));
    this.references.add(reference);
    return reference;
  }
}

export class Ledgers {
  private readonly books = new Map<string, AccountBook>();

  add(book: AccountBook): void {
    this.books.set(book.iban, book);
  }

  get(iban: string): AccountBook | undefined {
    return this.books.get(iban);
  }
}
