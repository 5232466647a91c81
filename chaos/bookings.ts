import type { SandboxBankAdmin } from '../sandbox/bank';

/**
 * The payments the run books at the sandbox bank, with when each was booked: the audit holds a fetch that succeeded
 * well after a booking to have imported it, whatever the day's allowance says now.
 */
export class Bookings {
  private readonly bookedAt = new Map<string, number>();

  constructor(private readonly admin: SandboxBankAdmin) {}

  book(iban: string, amountCents: number, description: string): void {
    const entry = this.admin.addTransaction(iban, { amountCents, description });
    if (entry.entryReference) this.bookedAt.set(entry.entryReference, Date.now());
  }

  /** When the run booked the entry; undefined for the bank's own history. */
  at(entryReference: string | null): number | undefined {
    return entryReference ? this.bookedAt.get(entryReference) : undefined;
  }
}
