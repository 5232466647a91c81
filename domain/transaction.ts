/** Where a transaction came in: the bank's API, or a statement file (MT940 / camt.053). */
export const TRANSACTION_SOURCES = ['api', 'file'] as const;
export type TransactionSource = (typeof TRANSACTION_SOURCES)[number];

/** How a transaction got its ledger account: by a transaction-code rule at import (R-A19), or by hand. */
export const BOOKED_BY = ['rule', 'hand'] as const;
export type BookedBy = (typeof BOOKED_BY)[number];
