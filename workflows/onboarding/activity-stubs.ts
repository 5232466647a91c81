import { proxyActivities } from '@temporalio/workflow';
import { ERROR_TYPES } from '../../domain/error-types';
import type { Activities } from '../../activities';
import { BANK_CALL, EMAIL, SHORT, withSummary } from '../activity-options';

/**
 * The onboarding's activities as the workflow calls them, each with the summary support staff read in the Temporal UI.
 */

/** Database steps that may wait for a KvK answer: a minute each, retried calmly. */
const RECORD = { startToCloseTimeout: '1 minute', retry: { maximumInterval: '5 minutes' } } as const;

export const { recordOnboardingStatus } = proxyActivities<Activities>(
  withSummary(RECORD, "Record the onboarding's status for the staff API"),
);
export const { prepareOnboarding } = proxyActivities<Activities>({
  ...withSummary(
    RECORD,
    'Prepare: check the environment, the bank accounts and the activation message; look up the KvK number',
  ),
  retry: { ...RECORD.retry, nonRetryableErrorTypes: [ERROR_TYPES.kvkRejected] },
});
export const { issueSerialNumber } = proxyActivities<Activities>(
  withSummary(SHORT, 'Issue a serial number for the wizard, valid until the consent deadline'),
);
export const { issueActivationLink } = proxyActivities<Activities>(
  withSummary(SHORT, 'Issue a single-use activation link, valid 168 hours'),
);
export const { sendOnboardingEmail } = proxyActivities<Activities>(
  withSummary(EMAIL, 'Send an e-mail through the outbox (exactly once per intent)'),
);
export const { beginConsent } = proxyActivities<Activities>({
  ...withSummary(BANK_CALL, 'Create the consent at the bank for the client (OAuth2 + PKCE)'),
  retry: { maximumAttempts: 3 },
});
export const { exchangeConsentCode } = proxyActivities<Activities>(
  withSummary(BANK_CALL, 'Exchange the authorization code and store the consent'),
);
export const { syncProfile } = proxyActivities<Activities>({
  ...withSummary(SHORT, 'Profile sync: match the consented accounts by IBAN and add them to the connection'),
  startToCloseTimeout: '2 minutes',
});
export const { ensureFetchSchedule } = proxyActivities<Activities>(
  withSummary(SHORT, 'Start the recurring fetch schedule'),
);
export const { offerConsentedAccounts } = proxyActivities<Activities>({
  ...withSummary(SHORT, "List the consented accounts for the wizard's Accounts step"),
  startToCloseTimeout: '1 minute',
});
export const { recordWizardAnswers } = proxyActivities<Activities>(
  withSummary(SHORT, 'Record what the client entered in the wizard'),
);
export const { firstTransactionImported } = proxyActivities<Activities>(
  withSummary(SHORT, 'Were the first transactions imported?'),
);
