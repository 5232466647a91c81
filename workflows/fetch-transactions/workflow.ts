import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { bankName } from '../../domain/bank';
import { ERROR_TYPES } from '../../domain/error-types';
import { noticeRecipients } from '../../domain/notice-recipients';
import type { Activities } from '../../activities';
import { ACCOUNT_FETCH, BANK_CALL, EMAIL, SHORT, withSummary } from '../activity-options';
import type { FetchSummary, FetchTransactionsInput } from './contract';

/** A few accounts at a time: banks rate-limit per consent, and one slow account should not hold up the rest. */
const PARALLEL_ACCOUNTS = 3;
const CONSENT_ENDED: readonly string[] = [ERROR_TYPES.consentInvalid];

const { planFetch } = proxyActivities<Activities>({
  ...withSummary(
    BANK_CALL,
    "Decide which accounts to fetch: sync profile, consent, blocked accounts, transaction import, today's bank allowance",
  ),
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [...CONSENT_ENDED] },
});
const { fetchAccount } = proxyActivities<Activities>(
  withSummary(
    ACCOUNT_FETCH,
    'Fetch booked transactions of one account and import them into daily statements, booked by transaction codes',
  ),
);
const { markConsentInvalid } = proxyActivities<Activities>(
  withSummary(SHORT, 'Mark the connection: consent no longer valid'),
);
const { pauseFetchSchedule } = proxyActivities<Activities>(
  withSummary(SHORT, 'Pause the scheduled fetches until the client consents again'),
);
const { sendEmail } = proxyActivities<Activities>(
  withSummary(EMAIL, 'Tell staff and the account manager that the consent ended'),
);

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
  for (const recipient of noticeRecipients(marked)) {
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
        bankName: bankName(marked.bankCode),
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
