import { CONSENT_STATUSES, type OnboardingStatus } from './onboarding';

/**
 * Whether the client's activation link or serial number may still take them to the bank (R-A9, R-A10, R-V7), in
 * words the page can show. The onboarding workflow refuses an Update with these before it is accepted.
 */
export interface AccessState {
  status: OnboardingStatus;
  /** Staff cancelled (the status follows once the cancel has been recorded). */
  cancelled: boolean;
  consentDeadline: string | null;
}

export function linkProblem(state: AccessState, presented: string, current: string | null, now: number): string | null {
  if (state.cancelled || state.status === 'cancelled') return 'this link was cancelled by the accounting office';
  if (presented !== current) return 'this link was replaced by a newer one; use the link in the most recent e-mail';
  if (!isConsentStatus(state.status)) return `this link can no longer be used (${words(state.status)})`;
  if (expired(state, now)) return 'this link has expired';
  return null;
}

export function serialProblem(
  state: AccessState,
  presented: string,
  current: string | null,
  locked: ReadonlySet<string>,
  now: number,
): string | null {
  if (state.cancelled || state.status === 'cancelled')
    return 'this serial number was cancelled by the accounting office';
  if (locked.has(presented)) {
    return 'this serial number is locked after five wrong tries; ask the accounting office for a new one';
  }
  if (presented !== current) {
    return 'this serial number was replaced by a newer one; use the serial number in the most recent e-mail';
  }
  if (!isConsentStatus(state.status)) return `this serial number can no longer be used (${words(state.status)})`;
  if (expired(state, now)) return 'this serial number has expired';
  return null;
}

function isConsentStatus(status: OnboardingStatus): boolean {
  return (CONSENT_STATUSES as readonly OnboardingStatus[]).includes(status);
}

function expired(state: AccessState, now: number): boolean {
  return state.consentDeadline !== null && now >= new Date(state.consentDeadline).getTime();
}

function words(status: OnboardingStatus): string {
  return status.replace(/_/g, ' ');
}
