/**
 * The onboarding's story (R-D1, DESIGN.md "The onboarding workflow"): prepare -> issue -> wait for consent ->
 * consent -> profile sync -> first transactions. Status names are what staff filter on and support searches for.
 */
export const ONBOARDING_FLAVOURS = ['activation-link', 'serial'] as const;
export type OnboardingFlavour = (typeof ONBOARDING_FLAVOURS)[number];

export const ONBOARDING_STATUSES = [
  'preparing',
  'rejected',
  'waiting_for_consent',
  'consent_in_progress',
  /** Serial flavour: consent given; the client picks accounts and options in the wizard (R-V12). */
  'choosing_accounts',
  'syncing_profile',
  'waiting_for_first_transaction',
  'active',
  'active_awaiting_first_transaction',
  'consent_refused',
  'expired',
  'cancelled',
] as const;
export type OnboardingStatus = (typeof ONBOARDING_STATUSES)[number];

/** Before the consent: the onboarding can still be cancelled, and staff may resend or restart it. */
export const OPEN_STATUSES = [
  'preparing',
  'waiting_for_consent',
  'consent_in_progress',
] as const satisfies readonly OnboardingStatus[];

/** While these last, the client's link or serial number can take them to the bank. */
export const CONSENT_STATUSES = [
  'waiting_for_consent',
  'consent_in_progress',
] as const satisfies readonly OnboardingStatus[];

/** The client consented and the connection is being made or is made: a wizard shows only Accounts and Done. */
export const PAST_CONSENT_STATUSES = [
  'choosing_accounts',
  'syncing_profile',
  'waiting_for_first_transaction',
  'active',
  'active_awaiting_first_transaction',
] as const satisfies readonly OnboardingStatus[];

export function isPastConsent(status: OnboardingStatus): boolean {
  return (PAST_CONSENT_STATUSES as readonly OnboardingStatus[]).includes(status);
}

export function isOpen(status: OnboardingStatus): boolean {
  return (OPEN_STATUSES as readonly OnboardingStatus[]).includes(status);
}

export function isFinal(status: OnboardingStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export const FINAL_STATUSES: readonly OnboardingStatus[] = [
  'rejected',
  'active',
  'active_awaiting_first_transaction',
  'expired',
  'cancelled',
];

/** The wizard's Details step (R-V9), as recorded on the onboarding. */
export interface WizardDetails {
  /** No longer asked (the client cannot know which product the office uses); kept on onboardings from before. */
  product?: string;
  insideBusiness: boolean;
  termsAcceptedAt: string;
  privacyAcceptedAt: string;
}

/** R-A10: the link (and the wait for consent) lasts 168 hours. */
export const CONSENT_WAIT_HOURS = 168;
/** R-V13: up to 24 hours for the first transactions. */
export const FIRST_TRANSACTION_WAIT_HOURS = 24;
/** Reminders before the link expires: three days and one day before. */
export const REMINDER_HOURS_BEFORE_EXPIRY = [72, 24] as const;
/**
 * Serial flavour: how long the wizard's Accounts step waits for the client before linking every linkable account with
 * Transactions (R-V12).
 */
export const ACCOUNT_CHOICE_WAIT_HOURS = 24;

/** Step names as the API shows them. */
export function currentStep(
  status: OnboardingStatus,
):
  | 'prepare'
  | 'issue'
  | 'wait_for_consent'
  | 'consent'
  | 'choose_accounts'
  | 'profile_sync'
  | 'first_transactions'
  | 'done' {
  switch (status) {
    case 'preparing':
      return 'prepare';
    case 'waiting_for_consent':
      return 'wait_for_consent';
    case 'consent_in_progress':
      return 'consent';
    case 'choosing_accounts':
      return 'choose_accounts';
    case 'syncing_profile':
      return 'profile_sync';
    case 'waiting_for_first_transaction':
      return 'first_transactions';
    default:
      return 'done';
  }
}
