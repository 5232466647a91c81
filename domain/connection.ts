/** A connection is fetching, stopped because its consent is no longer valid, or waiting for its first consent. */
export const CONNECTION_STATES = ['pending_consent', 'active', 'consent_invalid'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/**
 * The outcome of one account's fetch, shown to staff. "no new data" is only said when the bank answered. `warnings`
 * name the entries whose text was shortened to fit (domain/value-limits.ts).
 */
export type FetchResult =
  | { outcome: 'imported'; at: string; imported: number; duplicates: number; dates: string[]; warnings?: string[] }
  | { outcome: 'no_new_data'; at: string; duplicates: number; warnings?: string[] }
  | { outcome: 'skipped'; at: string; reason: string }
  /** The bank's daily allowance is used (domain/bank-allowance.ts): nothing was asked; when the next run can. */
  | { outcome: 'rate_limited'; at: string; reason: string; nextRunAt: string }
  | { outcome: 'failed'; at: string; reason: string };

/** R-V5: 6 fetches a day where the agreement allows it; a plain PSD2 consent allows at most 4 unattended ones. */
export const MAX_UNATTENDED_FETCHES_PSD2 = 4;
export const FETCHES_PER_DAY_AGREEMENT = 6;

export function fetchesPerDay(consentFrequencyPerDay: number, agreementAllowsSix: boolean): number {
  const wanted = agreementAllowsSix ? FETCHES_PER_DAY_AGREEMENT : MAX_UNATTENDED_FETCHES_PSD2;
  return Math.max(1, Math.min(wanted, consentFrequencyPerDay));
}
