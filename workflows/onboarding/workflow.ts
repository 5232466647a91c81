import { allHandlersFinished, condition, executeChild, patched, workflowInfo } from '@temporalio/workflow';
import { amsterdamIso } from '../../domain/amsterdam-time';
import {
  ACCOUNT_CHOICE_WAIT_HOURS,
  CONSENT_WAIT_HOURS,
  FIRST_TRANSACTION_WAIT_HOURS,
  REMINDER_HOURS_BEFORE_EXPIRY,
  type OnboardingStatus,
} from '../../domain/onboarding';
import { FETCH_TRANSACTIONS_WORKFLOW, type FetchTransactionsWorkflow } from '../fetch-transactions/contract';
import { BankCode, ConnectionId, KvkNumber, OrganizationId } from '../search-attributes';
import {
  ensureFetchSchedule,
  firstTransactionImported,
  issueActivationLink,
  issueSerialNumber,
  offerConsentedAccounts,
  prepareOnboarding,
  sendOnboardingEmail,
  syncProfile,
} from './activity-stubs';
import { UNDONE_REASON, type OnboardingInput, type OnboardingState } from './contract';
import { registerHandlers } from './handlers';
import { newRun, setStatus, type OnboardingRun } from './run';

const HOUR = 3_600_000;

/**
 * One onboarding from start to finish (R-D1): prepare, issue the link (or serial number), wait up to 168 hours for
 * the client's consent with reminders, let a wizard client choose accounts, sync the profile, then wait up to 24
 * hours for the first transactions. Staff, the client's pages and the imports reach it through handlers.ts.
 */
export async function onboardingWorkflow(input: OnboardingInput): Promise<OnboardingState> {
  const run = newRun(input);
  registerHandlers(run);

  // 1. Prepare (R-V7, R-A4, R-A6, R-V1, R-V3)
  const prepared = await prepareOnboarding({ onboardingId: input.onboardingId });
  if (!prepared.ok) return finish(run, 'rejected', prepared.reason);
  if (run.cancelled) return settled(run);

  // 2. Issue the activation link or the serial number, and e-mail it (R-A9, R-A10, R-V6)
  const deadline = await issue(run);

  // 3. Wait for the client's consent, with reminders (R-A10)
  const consentId = await waitForConsent(run, deadline);
  if (run.cancelled) return settled(run);
  if (consentId === null) return expire(run);

  // 4. Serial flavour: the client chooses accounts and options in the wizard (R-V12)
  await chooseAccounts(run, consentId);

  // 5. Profile sync (R-A12, R-A8, R-A11)
  const connectionId = await syncTheProfile(run, consentId);

  // 6. First transactions (R-V13, R-A13)
  return awaitFirstTransactions(run, connectionId);
}

async function issue(run: OnboardingRun): Promise<Date> {
  const { onboardingId } = run.input;
  const deadline = new Date(workflowInfo().startTime.getTime() + CONSENT_WAIT_HOURS * HOUR);
  const consentDeadline = deadline.toISOString();
  run.state.consentDeadline = consentDeadline;
  if (run.serial) {
    // R-V6, R-V7: the serial flavour; no saved history took this branch before it existed.
    const { serialNumberId } = await issueSerialNumber({ onboardingId, deadline: consentDeadline });
    run.serialNumberId = serialNumberId;
    await setStatus(run, 'waiting_for_consent', null, { consentDeadline });
    await sendOnboardingEmail({ onboardingId, kind: 'activation', linkId: null, serialNumberId, sequence: 0 });
  } else {
    run.linkId = (await issueActivationLink({ onboardingId, deadline: consentDeadline })).linkId;
    await setStatus(run, 'waiting_for_consent', null, { consentDeadline });
    await sendOnboardingEmail({ onboardingId, kind: 'activation', linkId: run.linkId, sequence: 0 });
  }
  return deadline;
}

/** The consent's id once the client consented; null when the deadline passed or staff cancelled first. */
async function waitForConsent(run: OnboardingRun, deadline: Date): Promise<string | null> {
  const consentedOrCancelled = () => run.consentId !== null || run.cancelled;
  for (const hoursBefore of REMINDER_HOURS_BEFORE_EXPIRY) {
    const remindAt = deadline.getTime() - hoursBefore * HOUR;
    const summary = `Wait for client consent until ${amsterdamIso(new Date(remindAt))}, then remind`;
    if (await waitUntil(consentedOrCancelled, remindAt, summary)) break;
    if (run.state.status === 'waiting_for_consent') {
      await sendOnboardingEmail({
        onboardingId: run.input.onboardingId,
        kind: 'reminder',
        linkId: run.linkId,
        serialNumberId: run.serialNumberId,
        sequence: hoursBefore,
      });
    }
  }
  await waitUntil(consentedOrCancelled, deadline.getTime(), `Wait for client consent until ${amsterdamIso(deadline)}`);
  return run.consentId;
}

async function expire(run: OnboardingRun): Promise<OnboardingState> {
  await sendOnboardingEmail({ onboardingId: run.input.onboardingId, kind: 'expired', linkId: run.linkId, sequence: 0 });
  const again = run.serial ? 'serial number' : 'link';
  return finish(
    run,
    'expired',
    `the client did not give consent within 168 hours (R-A10); restart to send a new ${again}`,
  );
}

/**
 * Back in the wizard, the client picks the accounts and their options (R-V12); without an answer in time every
 * linkable account is linked with Transactions. Patched: serial onboardings consented before the Accounts step
 * existed replay without it.
 */
async function chooseAccounts(run: OnboardingRun, consentId: string): Promise<void> {
  if (!run.serial || !patched('wizard-account-choice')) return;
  run.offer = await offerConsentedAccounts({ onboardingId: run.input.onboardingId, consentId });
  await setStatus(run, 'choosing_accounts');
  const until = Date.now() + ACCOUNT_CHOICE_WAIT_HOURS * HOUR;
  const summary = `Wait for the client to choose accounts in the wizard until ${amsterdamIso(new Date(until))}`;
  await waitUntil(() => run.accountChoice !== null, until, summary);
}

async function syncTheProfile(run: OnboardingRun, consentId: string): Promise<string> {
  const { onboardingId } = run.input;
  await setStatus(run, 'syncing_profile');
  const { connectionId } = await syncProfile({ onboardingId, consentId, choice: run.accountChoice });
  run.state.connectionId = connectionId;
  await sendOnboardingEmail({ onboardingId, kind: 'connected', linkId: run.linkId, sequence: 0 });
  return connectionId;
}

/**
 * The schedule starts, the first fetch runs from 00:00 of today, and the onboarding waits up to 24 hours for the
 * first booked transaction: checked every hour, at once when an import says so, fetched again every four hours.
 */
async function awaitFirstTransactions(run: OnboardingRun, connectionId: string): Promise<OnboardingState> {
  await ensureFetchSchedule({ connectionId });
  const firstDeadline = Date.now() + FIRST_TRANSACTION_WAIT_HOURS * HOUR;
  await setStatus(run, 'waiting_for_first_transaction', null, { connectionId });
  await fetchOnce(run, connectionId, 'first');
  let checks = 0;
  while (!(await firstTransactionImported({ connectionId }))) {
    if (run.undone) return finish(run, 'cancelled', UNDONE_REASON);
    if (Date.now() >= firstDeadline) {
      await sendOnboardingEmail({
        onboardingId: run.input.onboardingId,
        kind: 'first-transaction-tip',
        linkId: run.linkId,
        sequence: 0,
      });
      return finish(
        run,
        'active_awaiting_first_transaction',
        'no transactions within 24 hours; the scheduled fetches switch statement import on later (R-V13)',
      );
    }
    // Patched: onboardings that waited before the import signalled replay their hourly checks without it.
    const signalled = patched('first-transactions-signal');
    await condition(() => run.undone || (signalled && run.firstImported), Math.min(HOUR, firstDeadline - Date.now()), {
      summary: `Wait for the first transactions until ${amsterdamIso(new Date(firstDeadline))}`,
    });
    if (run.undone) return finish(run, 'cancelled', UNDONE_REASON);
    checks += 1;
    if (checks % 4 === 0) await fetchOnce(run, connectionId, `retry-${checks}`);
  }
  return finish(run, 'active', null);
}

async function finish(run: OnboardingRun, status: OnboardingStatus, reason: string | null): Promise<OnboardingState> {
  await setStatus(run, status, reason);
  return settled(run);
}

/** Let every handler answer and every background e-mail finish before the workflow closes. */
async function settled(run: OnboardingRun): Promise<OnboardingState> {
  await condition(allHandlersFinished);
  await Promise.all(run.background);
  return run.state;
}

async function fetchOnce(run: OnboardingRun, connectionId: string, label: string): Promise<void> {
  await executeChild<FetchTransactionsWorkflow>(FETCH_TRANSACTIONS_WORKFLOW, {
    workflowId: `${workflowInfo().workflowId}:fetch-${label}`,
    args: [{ connectionId, trigger: 'onboarding' }],
    // The onboarding's KvK number and bank, so a KvK search shows its fetches beside it.
    typedSearchAttributes: [
      { key: ConnectionId, value: connectionId },
      { key: OrganizationId, value: run.input.organizationId },
      ...inherited(KvkNumber),
      ...inherited(BankCode),
    ],
    staticSummary: 'Fetch transactions from 00:00 of the activation day',
  }).catch(() => {
    // A failed fetch is not the end of the onboarding: the schedule keeps fetching, and the wait goes on; the
    // child's own history says why it failed.
  });
}

/** The onboarding's own value of a search attribute, to pass on to a child; none when it was started without. */
function inherited(key: typeof KvkNumber): { key: typeof KvkNumber; value: string }[] {
  const value = workflowInfo().typedSearchAttributes.get(key);
  return value === undefined ? [] : [{ key, value }];
}

/** Waits for the predicate until the instant; true when the predicate came true first. */
async function waitUntil(predicate: () => boolean, until: number, summary: string): Promise<boolean> {
  const remaining = until - Date.now();
  if (remaining <= 0) return predicate();
  return condition(predicate, remaining, { summary });
}
