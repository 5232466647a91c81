import { WorkflowNotFoundError } from '@temporalio/client';
import type { BankSession } from '../banks/connector';
import { ConsentInvalidError, TokenExpiredError } from '../banks/errors';
import { openUnattendedSession, refreshSession } from '../banks/session';
import { consentTokens } from '../db/consent-tokens';
import { Connection, Consent, Onboarding } from '../db/entities';
import type { ActivityDeps } from '.';
import { toActivityFailure } from './bank-failure';

export interface RevokedConsent {
  /** The consent had been undone before (a second click, a second browser): nothing was asked of the bank. */
  alreadyUndone: boolean;
  /**
   * The consent is the one the connection fetches with; when a later activation replaced it, the connection runs on.
   */
  current: boolean;
}

/**
 * Activities of the client's "undo the connection" (R-A11, workflows/undo-connection.ts). Marking the connection,
 * pausing its schedule and the e-mails reuse the fetch workflow's activities; these do what only the undo does.
 */
export function createUndoConnectionActivities(
  deps: Pick<ActivityDeps, 'orm' | 'bankConnector' | 'tokenCipher' | 'temporal'>,
) {
  const { orm } = deps;
  return {
    /**
     * Cancels every fetch of the connection still running (scheduled, fetch now, the onboarding's): after an undo
     * nothing may be asked of the bank in the client's name. Each fetch carries its ConnectionId search attribute.
     */
    async cancelRunningFetches(input: { connectionId: string }): Promise<{ cancelled: string[] }> {
      const query = `ConnectionId = "${input.connectionId}" AND WorkflowType = "fetchTransactionsWorkflow" AND ExecutionStatus = "Running"`;
      const cancelled: string[] = [];
      for await (const running of deps.temporal.workflow.list({ query })) {
        try {
          await deps.temporal.workflow.getHandle(running.workflowId, running.runId).cancel();
          cancelled.push(running.workflowId);
        } catch (error) {
          // It finished between the list and the cancel: nothing left to stop.
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
      }
      return { cancelled };
    },

    /**
     * Ends the consent at the bank (Berlin Group DELETE: terminatedByTpp) and forgets its tokens. Idempotent: a
     * consent already terminated is left alone, and a bank that says the consent is already dead counts as done.
     */
    async revokeConsentForUndo(input: { connectionId: string; consentId: string }): Promise<RevokedConsent> {
      const em = orm.em.fork();
      const consent = await em.findOneOrFail(Consent, { id: input.consentId });
      const connection = await em.findOneOrFail(Connection, {
        id: input.connectionId,
        organization: consent.organization,
      });
      const current = connection.consent?.id === consent.id;
      if (consent.status === 'terminatedByTpp') return { alreadyUndone: true, current };
      const connector = deps.bankConnector(consent.bankCode);
      const tokens = consentTokens(em, consent, deps.tokenCipher);
      try {
        let session: BankSession | undefined;
        try {
          session = await openUnattendedSession(tokens, connector);
        } catch (error) {
          // No usable token (the client already revoked it at the bank): the TPP may still end the consent itself.
          if (!(error instanceof ConsentInvalidError)) throw error;
        }
        try {
          await connector.deleteConsent(consent.bankConsentId, session);
        } catch (error) {
          if (!(error instanceof TokenExpiredError)) throw error;
          await connector.deleteConsent(consent.bankConsentId, await refreshSession(tokens, connector));
        }
      } catch (error) {
        throw toActivityFailure(error);
      }
      await em.nativeUpdate(
        Consent,
        { id: consent.id },
        { status: 'terminatedByTpp', accessTokenEncrypted: null, refreshTokenEncrypted: null, tokenExpiresAt: null },
      );
      return { alreadyUndone: false, current };
    },

    /**
     * An onboarding that had already finished keeps its status (it did connect), with the undo as its reason, so
     * staff reading it see what happened; a running one ends itself on the workflow's signal.
     */
    async recordOnboardingUndone(input: { onboardingId: string; reason: string }): Promise<void> {
      await orm.em
        .fork()
        .nativeUpdate(
          Onboarding,
          { id: input.onboardingId, status: { $in: ['active', 'active_awaiting_first_transaction'] } },
          { statusReason: input.reason.slice(0, 1000) },
        );
    },
  };
}
