import { patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { accountChoiceProblems } from '../../domain/account-choice';
import { linkProblem, serialProblem } from '../../domain/onboarding-access';
import { isOpen } from '../../domain/onboarding';
import {
  beginConsent,
  exchangeConsentCode,
  issueActivationLink,
  issueSerialNumber,
  recordWizardAnswers,
  sendOnboardingEmail,
} from './activity-stubs';
import {
  accountManagerUpdate,
  cancelUpdate,
  chooseAccountsUpdate,
  claimSerialUpdate,
  connectionUndoneSignal,
  consentReturnedUpdate,
  firstTransactionsImportedSignal,
  resendUpdate,
  serialLockedSignal,
  startConsentUpdate,
  stateQuery,
} from './contract';
import { setStatus, type OnboardingRun } from './run';

/**
 * How staff, the client's pages and the imports reach a running onboarding. Validators refuse at once, in words
 * the page or the API can show; what a handler does is recorded in the history like any step.
 */
export function registerHandlers(run: OnboardingRun): void {
  const { onboardingId } = run.input;
  const refuse = (problem: string | null) => {
    if (problem) throw new Error(problem);
  };
  const requireUsableSerial = (presented: string) =>
    refuse(serialProblem(access(run), presented, run.serialNumberId, run.lockedSerials, Date.now()));
  const requireClaimed = (presented: string) =>
    refuse(run.claimedSerialId === presented ? null : 'enter the serial number and KvK number in the wizard first');

  setHandler(stateQuery, () => run.state);

  setHandler(
    cancelUpdate,
    async ({ by }) => {
      run.cancelled = true;
      await setStatus(run, 'cancelled', `cancelled by ${by}`);
      return run.state;
    },
    {
      validator: (_request: { by: string }) =>
        refuse(
          isOpen(run.state.status) ? null : `the onboarding is ${run.state.status} and can no longer be cancelled`,
        ),
    },
  );

  setHandler(
    resendUpdate,
    async (_request: { by: string }) => {
      const deadline = run.state.consentDeadline!;
      // Numbered by the history's length when sent, so each resend is an e-mail of its own.
      const sequence = () => workflowInfo().historyLength;
      if (run.serial) {
        const { serialNumberId } = await issueSerialNumber({ onboardingId, deadline });
        run.serialNumberId = serialNumberId;
        run.claimedSerialId = null;
        const email = { onboardingId, kind: 'activation' as const, linkId: null, serialNumberId };
        await sendOnboardingEmail({ ...email, sequence: sequence() });
        return { linkId: null, serialNumberId };
      }
      run.linkId = (await issueActivationLink({ onboardingId, deadline })).linkId;
      await sendOnboardingEmail({ onboardingId, kind: 'activation', linkId: run.linkId, sequence: sequence() });
      return { linkId: run.linkId };
    },
    {
      validator: (_request: { by: string }) =>
        refuse(
          run.state.status === 'waiting_for_consent'
            ? null
            : `the onboarding is ${run.state.status}; a link can only be resent while waiting for consent`,
        ),
    },
  );

  setHandler(
    startConsentUpdate,
    async ({ linkId: presented }) => {
      const attempt = await beginConsent({ onboardingId, linkId: presented });
      if (run.state.status === 'waiting_for_consent') await setStatus(run, 'consent_in_progress');
      return attempt;
    },
    {
      validator: ({ linkId: presented }) => {
        if (!run.serial) return refuse(linkProblem(access(run), presented, run.linkId, Date.now()));
        requireUsableSerial(presented);
        requireClaimed(presented);
      },
    },
  );

  setHandler(
    claimSerialUpdate,
    async ({ serialNumberId: presented, details }) => {
      run.claimedSerialId = presented;
      if (details) await recordWizardAnswers({ onboardingId, details });
      return { onboardingId, consentDeadline: run.state.consentDeadline };
    },
    {
      validator: ({ serialNumberId: presented }) => {
        refuse(run.serial ? null : 'this onboarding uses an activation link, not a serial number');
        requireUsableSerial(presented);
      },
    },
  );

  setHandler(
    accountManagerUpdate,
    async ({ name, email }) => {
      await recordWizardAnswers({ onboardingId, accountManager: { name, email } });
      return { recorded: true as const };
    },
    {
      validator: ({ serialNumberId: presented }) => {
        refuse(run.serial ? null : 'this onboarding uses an activation link, not the wizard');
        requireUsableSerial(presented);
        requireClaimed(presented);
      },
    },
  );

  setHandler(
    chooseAccountsUpdate,
    ({ accounts }) => {
      run.accountChoice = accounts;
      return { linked: accounts.length };
    },
    {
      validator: ({ serialNumberId: presented, accounts }) => {
        if (run.state.status !== 'choosing_accounts' || !run.offer) {
          throw new Error(`the onboarding is ${run.state.status}; accounts are chosen right after the bank consent`);
        }
        refuse(presented === run.claimedSerialId ? null : 'this wizard did not give the consent');
        const problems = accountChoiceProblems(accounts, run.offer.accounts, run.offer.licence);
        refuse(problems.length ? problems.join('; ') : null);
      },
    },
  );

  setHandler(serialLockedSignal, ({ serialNumberId: locked }) => {
    run.lockedSerials.add(locked);
    if (run.claimedSerialId === locked) run.claimedSerialId = null;
  });

  setHandler(
    consentReturnedUpdate,
    async ({ attemptId }) => {
      const result = await exchangeConsentCode({ onboardingId, attemptId });
      if (result.outcome === 'consented') {
        run.consentId = result.consentId;
        return { outcome: 'consented', reason: null };
      }
      // R-A3: a refusal (e.g. a user without the right role) leaves the link open for someone who may consent.
      run.refusedAttempts += 1;
      await setStatus(run, 'waiting_for_consent', result.reason);
      // The client is told by e-mail too, whom to ask; the page answers at once, whatever SMTP is doing. Patched:
      // onboardings that were refused before this e-mail existed replay without it (test/workflow/replay.test.ts).
      if (patched('consent-refused-email')) {
        const email = sendOnboardingEmail({
          onboardingId,
          kind: 'consent-refused',
          linkId: run.linkId,
          sequence: run.refusedAttempts,
          reason: result.reason,
        });
        // A failed send is in the history; it must not fail the onboarding, which still waits for a consent.
        run.background.push(email.catch(() => undefined));
      }
      return { outcome: 'refused', reason: result.reason };
    },
    {
      validator: (_request: { attemptId: string }) =>
        refuse(
          run.state.status === 'consent_in_progress' && !run.cancelled ? null : `the onboarding is ${run.state.status}`,
        ),
    },
  );

  setHandler(connectionUndoneSignal, () => {
    run.undone = true;
  });
  setHandler(firstTransactionsImportedSignal, () => {
    run.firstImported = true;
  });
}

function access(run: OnboardingRun) {
  return { status: run.state.status, cancelled: run.cancelled, consentDeadline: run.state.consentDeadline };
}
