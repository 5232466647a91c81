import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { FetchResult } from '../domain/connection';
import type { Activities } from '../activities';
import type { FetchTrigger } from '../activities/fetch';

export interface FetchTransactionsInput {
  connectionId: string;
  trigger: FetchTrigger;
}

export interface FetchSummary {
  connectionId: string;
  /** `refused`: every account's calls for today are used (domain/bank-allowance.ts); `reason` names the next run. */
  outcome: 'fetched' | 'skipped' | 'refused' | 'consent_invalid';
  reason: string | null;
  accounts: { connectedAccountId: string; iban: string; result: FetchResult | { outcome: 'failed'; reason: string } }[];
}

const BANK_NAMES: Record<string, string> = { INGB: 'ING', RABO: 'Rabobank', ABNA: 'ABN AMRO' };

/** A few accounts at a time: banks rate-limit per consent, and one slow account should not hold up the rest. */
const PARALLEL_ACCOUNTS = 3;
const CONSENT_ENDED = ['ConsentInvalidError'];

const { planFetch } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: CONSENT_ENDED },
  summary:
    "Decide which accounts to fetch: sync profile, consent, blocked accounts, transaction import, today's bank allowance",
});

const { fetchAccount } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '15 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: [...CONSENT_ENDED, 'BankRequestError', 'AccountNotInConsent'],
  },
  summary:
    'Fetch booked transactions of one account and import them into daily statements, booked by transaction codes',
});

const { markConsentInvalid } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  summary: 'Mark the connection: consent no longer valid',
});
const { pauseFetchSchedule } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  summary: 'Pause the scheduled fetches until the client consents again',
});
const { sendEmail } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '10 minutes' },
  summary: 'Tell staff and the account manager that the consent ended',
});

/**
 * One fetch of a connection (R-D2, R-A17): started by its Schedule six times a day (R-V5) or by staff's "fetch
 * now". Each eligible account is fetched and ingested; a consent that is no longer valid stops the schedule and
 * tells people, instead of failing quietly.
 */
export async function fetchTransactionsWorkflow(input: FetchTransactionsInput): Promise<FetchSummary> {
  const summary: FetchSummary = { connectionId: input.connectionId, outcome: 'fetched', reason: null, accounts: [] };
  let plan;
  try {
    plan = await planFetch(input);
  } catch (error) {
    if (!consentEnded(error)) throw error;
    return consentInvalid(summary, reasonOf(error));
  }
  if (plan.skip) return { ...summary, outcome: 'skipped', reason: plan.skip };
  summary.accounts.push(...(plan.leftOut ?? []));
  if (!plan.accounts.length) {
    const refused = summary.accounts
      .map((account) => account.result)
      .find((result) => result.outcome === 'rate_limited');
    return { ...summary, outcome: refused ? 'refused' : 'fetched', reason: refused?.reason ?? null };
  }

  let consentEndedReason: string | null = null;
  for (let i = 0; i < plan.accounts.length; i += PARALLEL_ACCOUNTS) {
    const batch = plan.accounts.slice(i, i + PARALLEL_ACCOUNTS);
    const results = await Promise.allSettled(
      batch.map((account) =>
        fetchAccount({ connectionId: input.connectionId, connectedAccountId: account.connectedAccountId }),
      ),
    );
    results.forEach((result, j) => {
      const account = batch[j]!;
      if (result.status === 'fulfilled') summary.accounts.push({ ...account, result: result.value });
      else {
        summary.accounts.push({ ...account, result: { outcome: 'failed', reason: reasonOf(result.reason) } });
        if (consentEnded(result.reason)) consentEndedReason = reasonOf(result.reason);
      }
    });
    if (consentEndedReason) break;
  }
  return consentEndedReason ? consentInvalid(summary, consentEndedReason) : summary;
}

async function consentInvalid(summary: FetchSummary, reason: string): Promise<FetchSummary> {
  const marked = await markConsentInvalid({ connectionId: summary.connectionId, reason });
  await pauseFetchSchedule({ connectionId: summary.connectionId, note: `Consent no longer valid: ${reason}` });
  const recipients = [
    { role: 'staff', email: marked.staffEmail, name: 'team' },
    { role: 'account-manager', email: marked.accountManager.email, name: marked.accountManager.name ?? '' },
  ].filter((r): r is { role: string; email: string; name: string } => Boolean(r.email));
  for (const recipient of recipients) {
    await sendEmail({
      organizationId: marked.organizationId,
      idempotencyKey: `consent-ended:${summary.connectionId}:${marked.consentId ?? 'none'}:${recipient.role}`,
      template: 'consent-ended',
      language: 'nl',
      to: recipient.email,
      data: {
        recipientName: recipient.name,
        companyName: marked.companyName ?? 'uw klant',
        kvkNumber: marked.kvkNumber,
        clientEmail: marked.clientEmail,
        bankName: BANK_NAMES[marked.bankCode] ?? marked.bankCode,
        consentStatusText: 'niet meer geldig',
        connectionId: summary.connectionId,
        reason,
      },
    });
  }
  return { ...summary, outcome: 'consent_invalid', reason: `${reason} (run ${workflowInfo().runId})` };
}

function consentEnded(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && CONSENT_ENDED.includes(cause.type ?? '');
}

function reasonOf(error: unknown): string {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
