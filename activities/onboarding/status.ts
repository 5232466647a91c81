import { ActivationLink, ConnectedAccount, Onboarding, SerialNumber } from '../../db/entities';
import { isFinal, type OnboardingStatus } from '../../domain/onboarding';
import type { ActivityDeps } from '..';

/** Where the onboarding stands, as staff and the client's pages read it from the Onboarding row. */
export function createStatusActivities({ orm }: Pick<ActivityDeps, 'orm'>) {
  return {
    async recordOnboardingStatus(input: {
      onboardingId: string;
      status: OnboardingStatus;
      reason: string | null;
      consentDeadline?: string;
      connectionId?: string;
    }): Promise<void> {
      await orm.em.fork().nativeUpdate(
        Onboarding,
        { id: input.onboardingId },
        {
          status: input.status,
          statusReason: input.reason,
          ...(input.consentDeadline ? { consentDeadline: new Date(input.consentDeadline) } : {}),
          ...(input.connectionId ? { connection: input.connectionId } : {}),
          ...(isFinal(input.status) ? { completedAt: new Date() } : {}),
        },
      );
      if (input.status === 'cancelled' || input.status === 'expired') {
        await orm.em
          .fork()
          .nativeUpdate(
            ActivationLink,
            { onboarding: input.onboardingId, usedAt: null, revokedAt: null },
            { revokedAt: new Date() },
          );
        await orm.em
          .fork()
          .nativeUpdate(
            SerialNumber,
            { onboarding: input.onboardingId, usedAt: null, revokedAt: null },
            { revokedAt: new Date() },
          );
      }
    },

    /** R-A13: statement import switches on with the first imported transactions. */
    async firstTransactionImported(input: { connectionId: string }): Promise<boolean> {
      return (
        (await orm.em
          .fork()
          .count(ConnectedAccount, { connection: input.connectionId, statementImportEnabled: true })) > 0
      );
    },
  };
}
