import type { ActivityDeps } from '..';
import { createConsentActivities } from './consent';
import { createEmailsActivities } from './emails';
import { createIssueActivities } from './issue';
import { createPrepareActivities } from './prepare';
import { createProfileSyncActivities } from './profile-sync';
import { createStatusActivities } from './status';
import { createWizardActivities } from './wizard';

export { callbackUrl } from './consent';

/**
 * Activities of the onboarding workflow, one file per step; each records what it did on the Onboarding row,
 * which the API reads.
 */
export function createOnboardingActivities(
  deps: Pick<
    ActivityDeps,
    'orm' | 'mailer' | 'mailFrom' | 'kvk' | 'bankConnector' | 'tokenCipher' | 'publicBaseUrl' | 'activationLinkKeys'
  >,
) {
  return {
    ...createStatusActivities(deps),
    ...createPrepareActivities(deps),
    ...createIssueActivities(deps),
    ...createEmailsActivities(deps),
    ...createConsentActivities(deps),
    ...createWizardActivities(deps),
    ...createProfileSyncActivities(deps),
  };
}
