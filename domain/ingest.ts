import { bankIdKey, fingerprint, type FingerprintFields } from './dedupe';
import type { TransactionSource } from './transaction';

/**
 * Turning incoming entries (a bank API page or a statement file) into rows to import (R-A5, R-A14, R-A16, R-A18).
 * Pure: db/ingest.ts writes the rows with set-based SQL.
 */

export interface IncomingEntry extends FingerprintFields {
  counterpartyName: string | null;
  bankReference: string | null;
  bankTransactionCode: string | null;
  /** The bank API also lists pending entries; only booked ones are imported. */
  booked: boolean;
}

export interface IngestRow extends IncomingEntry {
  dedupeKey: string;
  fingerprint: string;
  /** Position among entries with the same fingerprint on the same booking date, in the bank's order. */
  occurrence: number;
}

export interface IngestPolicy {
  source: TransactionSource;
  /**
   * R-A5, R-A14: the API channel imports from 00:00 of the switch-over (activation) day on, nothing older.
   * Statement files cover the days before it; a file that reaches into API days is deduplicated by fingerprint.
   */
  switchOverDate: string | null;
}

export type SkipReason = 'pending' | 'before_switch_over';

/**
 * Counts occurrences of (booking date, fingerprint) across every page of one import, so two identical real
 * payments on one day get 0 and 1 however the bank split its pages.
 */
export class OccurrenceCounter {
  private readonly seen = new Map<string, number>();

  next(bookingDate: string, fp: string): number {
    const key = `${bookingDate}|${fp}`;
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return n;
  }
}

export function prepareRows(
  entries: readonly IncomingEntry[],
  policy: IngestPolicy,
  counter: OccurrenceCounter,
): { rows: IngestRow[]; skipped: Record<SkipReason, number> } {
  const rows: IngestRow[] = [];
  const skipped: Record<SkipReason, number> = { pending: 0, before_switch_over: 0 };
  for (const entry of entries) {
    if (!entry.booked) {
      skipped.pending += 1;
      continue;
    }
    if (policy.source === 'api' && policy.switchOverDate && entry.bookingDate < policy.switchOverDate) {
      skipped.before_switch_over += 1;
      continue;
    }
    const fp = fingerprint(entry);
    const occurrence = counter.next(entry.bookingDate, fp);
    const dedupeKey = entry.bankReference?.trim() ? bankIdKey(entry.bankReference) : `fp:${fp}:${occurrence}`;
    rows.push({ ...entry, fingerprint: fp, occurrence, dedupeKey });
  }
  return { rows, skipped };
}
