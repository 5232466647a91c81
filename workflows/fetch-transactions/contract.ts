import type { FetchResult } from '../../domain/connection';

/** What callers need to start a fetch (workflow.ts) or read its result, without importing its body. */
export const FETCH_TRANSACTIONS_WORKFLOW = 'fetchTransactionsWorkflow';

/** Who asked: the connection's Schedule, staff's "fetch now", or the onboarding's first fetch and its retries. */
export type FetchTrigger = 'schedule' | 'fetch-now' | 'onboarding';

export interface FetchTransactionsInput {
  connectionId: string;
  trigger: FetchTrigger;
}

export interface FetchSummary {
  connectionId: string;
  /** `refused`: every account's calls for today are used (domain/bank-allowance.ts); `reason` names the next run. */
  outcome: 'fetched' | 'skipped' | 'refused' | 'consent_invalid';
  reason: string | null;
  accounts: {
    connectedAccountId: string;
    iban: string;
    result: FetchResult | { outcome: 'failed'; reason: string };
  }[];
}

export type FetchTransactionsWorkflow = (input: FetchTransactionsInput) => Promise<FetchSummary>;

/** Staff's "fetch now": one at a time per connection, beside the Schedule's runs. */
export function fetchNowWorkflowId(connectionId: string): string {
  return `connection:${connectionId}:fetch-now`;
}
