import { getExternalWorkflowHandle, patched, proxyActivities } from '@temporalio/workflow';
import { bankName } from '../../domain/bank';
import { noticeRecipients } from '../../domain/notice-recipients';
import type { Activities } from '../../activities';
import { EMAIL, SHORT, withSummary } from '../activity-options';
import { connectionUndoneSignal, onboardingWorkflowId, UNDONE_REASON } from '../onboarding/contract';
import type { UndoConnectionInput, UndoConnectionResult } from './contract';

const { revokeConsentForUndo } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute', maximumAttempts: 10 },
  summary: 'Revoke the consent at the bank (terminatedByTpp) and forget its tokens',
});
const { markConsentInvalid } = proxyActivities<Activities>(
  withSummary(SHORT, 'Mark the connection: consent undone by the client'),
);
const { pauseFetchSchedule } = proxyActivities<Activities>(withSummary(SHORT, 'Pause the scheduled fetches'));
const { cancelRunningFetches } = proxyActivities<Activities>({
  ...withSummary(SHORT, 'Cancel the fetches of this connection that are still running'),
  startToCloseTimeout: '1 minute',
});
const { recordOnboardingUndone } = proxyActivities<Activities>(
  withSummary(SHORT, 'Note the undo on the finished onboarding'),
);
const { sendEmail } = proxyActivities<Activities>(
  withSummary(EMAIL, 'Tell staff and the account manager that the client undid the connection'),
);

/**
 * The client undid the link from the link page (R-A11): the consent ends at the bank, the connection stops
 * fetching, its schedule pauses, a still-running onboarding stops waiting, and staff and the account manager are
 * told. Started by the client page with id `connection:<id>:undo`; every step is safe to repeat.
 */
export async function undoConnectionWorkflow(input: UndoConnectionInput): Promise<UndoConnectionResult> {
  const revoked = await revokeConsentForUndo({ connectionId: input.connectionId, consentId: input.consentId });
  if (revoked.current) {
    // First, so no fetch still running meets the revoked consent and reports it as ended. Patched: undos that ran
    // before fetches were cancelled replay without it.
    if (patched('cancel-running-fetches')) await cancelRunningFetches({ connectionId: input.connectionId });
    // Repeated on a second undo too: each step is idempotent, so an earlier run that stopped half-way is completed.
    const marked = await markConsentInvalid({ connectionId: input.connectionId, reason: UNDONE_REASON });
    await pauseFetchSchedule({ connectionId: input.connectionId, note: `Consent ${UNDONE_REASON} (R-A11)` });
    for (const recipient of noticeRecipients(marked)) {
      await sendEmail({
        organizationId: input.organizationId,
        // Under the onboarding's prefix, so the onboarding's detail in the staff API lists it with its e-mails.
        idempotencyKey: `onboarding:${input.onboardingId}:undone:${input.consentId}:${recipient.role}`,
        template: 'onboarding-undone',
        language: 'nl',
        to: recipient.email,
        data: {
          recipientName: recipient.name,
          companyName: marked.companyName ?? 'uw klant',
          bankName: bankName(marked.bankCode),
          connectionId: input.connectionId,
          onboardingId: input.onboardingId,
        },
      });
    }
  }
  try {
    await getExternalWorkflowHandle(onboardingWorkflowId(input.onboardingId)).signal(connectionUndoneSignal);
  } catch {
    // The onboarding has finished: there is nothing waiting to stop.
  }
  await recordOnboardingUndone({ onboardingId: input.onboardingId, reason: UNDONE_REASON });
  return { outcome: revoked.alreadyUndone ? 'already_undone' : 'undone', connectionStopped: revoked.current };
}
