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

/** R-A11: how long the client may undo a connection from the link page; after that the office stops it. */
export const UNDO_RIGHT_DAYS = 30;

/**
 * Whether the link that connected may still undo the connection. An old or forwarded e-mail must not hold that
 * power forever: it ends 30 days after the connection, or as soon as a newer link or consent takes its place;
 * from then on the client asks the office (issue 12).
 */
export type UndoRight = 'open' | 'expired' | 'replaced';

export function undoRight(connectedAt: Date, replaced: boolean, now: Date): UndoRight {
  if (replaced) return 'replaced';
  return now.getTime() >= undoRightEnd(connectedAt).getTime() ? 'expired' : 'open';
}

export function undoRightEnd(connectedAt: Date): Date {
  return new Date(connectedAt.getTime() + UNDO_RIGHT_DAYS * 24 * 3_600_000);
}
