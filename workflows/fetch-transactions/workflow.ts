import { ActivityFailure, ApplicationFailure, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { bankName } from '../../domain/bank';
import { ERROR_TYPES } from '../../domain/error-types';
import { noticeRecipients } from '../../domain/notice-recipients';
import type { Activities } from '../../activities';
import type { ConsentEndedDetails } from '../../activities/fetch';
import { ACCOUNT_FETCH, BANK_CALL, EMAIL, SHORT, withSummary } from '../activity-options';
import type { FetchSummary, FetchTransactionsInput } from './contract';

/** A few accounts at a time: banks rate-limit per consent, and one slow account should not hold up the rest. */
const PARALLEL_ACCOUNTS = 3;
const CONSENT_ENDED: readonly string[] = [ERROR_TYPES.consentInvalid];
/**
 * Runs from here on name the refused consent when marking the connection, so a consent the client replaced during
 * the run (R-A9) never ends the connection's new one (found by the chaos run, issue 12). Runs recorded before replay
 * the old way.
 */
const CONSENT_NAMED_PATCH = 'consent-ended-names-its-consent';

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
    return consentInvalid(summary, reasonOf(error), consentIdOf(error));
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
  let endedConsentId: string | null = null;
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
        if (consentEnded(result.reason)) {
          consentEndedReason = reasonOf(result.reason);
          endedConsentId = consentIdOf(result.reason);
        }
      }
    });
    if (consentEndedReason) break;
  }
  return consentEndedReason ? consentInvalid(summary, consentEndedReason, endedConsentId) : summary;
}

async function consentInvalid(summary: FetchSummary, reason: string, consentId: string | null): Promise<FetchSummary> {
  const named = consentId && patched(CONSENT_NAMED_PATCH) ? { consentId } : {};
  const marked = await markConsentInvalid({ connectionId: summary.connectionId, reason, ...named });
  if (marked.replaced) {
    return {
      ...summary,
      reason: `the consent this run used was replaced by the client's new one; the next run uses it`,
    };
  }
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

/** The consent a consent-ended failure names (activities/fetch.ts); null from activities that did not name one. */
function consentIdOf(error: unknown): string | null {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as ConsentEndedDetails | undefined) : null;
  return details?.consentId ?? null;
}

function reasonOf(error: unknown): string {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
