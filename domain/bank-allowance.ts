import { amsterdamDate, amsterdamIso, nextAmsterdamMidnight } from './amsterdam-time';

/**
 * The bank call allowance (PSD2 RTS art. 36(5), R-V5, DESIGN.md "Recurring fetches"). Without the client present a
 * bank allows each consent `frequencyPerDay` calls per endpoint per calendar day: the account list is one endpoint,
 * each account's transactions another. Every call we make is unattended (the onboarding's first fetch and its
 * retries, scheduled runs, staff's fetch now): staff are not the account holder, so no call claims the client is
 * present. Each call is counted here before it is made, so a run that would be refused is not started at all.
 */
export type BankCall = 'accounts' | `transactions:${string}`;

export const ACCOUNT_LIST_CALL: BankCall = 'accounts';

export function transactionsCall(iban: string): BankCall {
  return `transactions:${iban}`;
}

/** Calls already made today per endpoint, as counted before each was made. */
export type CallsMade = ReadonlyMap<string, number>;

export type AllowanceVerdict =
  { allowed: true } | { allowed: false; call: BankCall; limit: number; nextRunAt: string; reason: string };

/** The day a bank counts in: its calendar day in Amsterdam. */
export function allowanceDay(now: Date): string {
  return amsterdamDate(now);
}

/** Whether all these calls still fit in today's allowance; if not, which one does not and when it may run again. */
export function judgeCalls(calls: readonly BankCall[], made: CallsMade, limit: number, now: Date): AllowanceVerdict {
  const over = calls.find((call) => (made.get(call) ?? 0) >= limit);
  if (over === undefined) return { allowed: true };
  const nextRunAt = amsterdamIso(nextAmsterdamMidnight(now));
  return { allowed: false, call: over, limit, nextRunAt, reason: exhaustedReason(over, limit, nextRunAt) };
}

export function exhaustedReason(call: BankCall, limit: number, nextRunAt: string): string {
  return (
    `the bank allows ${limit} unattended calls a day for ${describeCall(call)} and today's are used; ` +
    `the next fetch can run at ${nextRunAt}`
  );
}

function describeCall(call: BankCall): string {
  return call === ACCOUNT_LIST_CALL ? 'the account list' : `the transactions of ${call.slice('transactions:'.length)}`;
}

export interface AllowancePlan {
  /** IBANs whose transactions fit in today's allowance (and, where their bank id is unknown, the account list too). */
  fetch: string[];
  /** True when an account's bank id is unknown: the run asks the account list once, before any transactions. */
  needsAccountList: boolean;
  /** IBANs a run would leave out today, each with the verdict that says why and when the next run can. */
  leftOut: { iban: string; verdict: Extract<AllowanceVerdict, { allowed: false }> }[];
}

/**
 * What a fetch run may ask of the bank today: the same answer for the run itself and for staff's "fetch now",
 * which is refused at once when nothing fits.
 */
export function planCalls(
  accounts: readonly { iban: string; resourceIdKnown: boolean }[],
  made: CallsMade,
  limit: number,
  now: Date,
): AllowancePlan {
  const plan: AllowancePlan = { fetch: [], needsAccountList: false, leftOut: [] };
  const list = judgeCalls([ACCOUNT_LIST_CALL], made, limit, now);
  for (const account of accounts) {
    const verdict = judgeCalls([transactionsCall(account.iban)], made, limit, now);
    if (!verdict.allowed) plan.leftOut.push({ iban: account.iban, verdict });
    else if (account.resourceIdKnown) plan.fetch.push(account.iban);
    else if (!list.allowed) plan.leftOut.push({ iban: account.iban, verdict: list });
    else {
      plan.fetch.push(account.iban);
      plan.needsAccountList = true;
    }
  }
  return plan;
}
