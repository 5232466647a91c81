import { Onboarding } from '../../db/entities';
import { offeredAccount, type Licence, type OfferedAccount } from '../../domain/account-choice';
import { normaliseIban } from '../../domain/iban';
import type { WizardDetails } from '../../domain/onboarding';
import type { ActivityDeps } from '..';
import { consentedAccounts, loadOnboarding } from './shared';

/** What the serial-number wizard asks the client, and the accounts its Accounts step offers. */
export function createWizardActivities(deps: Pick<ActivityDeps, 'orm' | 'bankConnector' | 'tokenCipher'>) {
  const { orm } = deps;
  return {
    /** The wizard's answers (R-V9 details with the moment the terms were accepted, R-V10 account manager). */
    async recordWizardAnswers(input: {
      onboardingId: string;
      details?: WizardDetails;
      accountManager?: { name: string; email: string };
    }): Promise<void> {
      await orm.em.fork().nativeUpdate(
        Onboarding,
        { id: input.onboardingId },
        {
          ...(input.details ? { wizardDetails: input.details } : {}),
          ...(input.accountManager
            ? { accountManagerName: input.accountManager.name, accountManagerEmail: input.accountManager.email }
            : {}),
        },
      );
    },

    /**
     * Serial flavour, after the consent (R-V12, R-V1): the consented accounts as the wizard's Accounts step lists
     * them, recorded on the onboarding for the page; the workflow keeps only IBANs, linkability and the licence.
     */
    async offerConsentedAccounts(input: {
      onboardingId: string;
      consentId: string;
    }): Promise<{ accounts: Pick<OfferedAccount, 'iban' | 'notLinkable'>[]; licence: Licence }> {
      const em = orm.em.fork();
      const onboarding = await loadOnboarding(em, input.onboardingId);
      const offered = (await consentedAccounts(deps, em, onboarding.bankCode, input.consentId)).map((a) =>
        offeredAccount({ ...a, iban: normaliseIban(a.iban) }),
      );
      onboarding.offeredAccounts = offered;
      await em.flush();
      return {
        accounts: offered.map(({ iban, notLinkable }) => ({ iban, notLinkable })),
        licence: {
          payments: onboarding.organization.licencePayments,
          directDebit: onboarding.organization.licenceDirectDebit,
        },
      };
    },
  };
}
