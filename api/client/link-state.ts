import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { OnboardingStatus } from '../../domain/onboarding';

/** Why a link cannot start a consent; each has its own sentence on the page. */
export type LinkRefusal = 'expired' | 'cancelled' | 'replaced' | 'ended';
export type LinkState = 'open' | 'connected' | LinkRefusal;

/**
 * What the link page shows, from the rows the activities keep current. The workflow's validator stays the
 * authority when the client presses the button; this only spares a round trip when the answer is already known.
 */
export function linkState(
  link: { usedAt?: Date | null; revokedAt?: Date | null; expiresAt: Date },
  status: OnboardingStatus,
  now: Date,
): LinkState {
  if (link.usedAt) return 'connected';
  if (status === 'cancelled') return 'cancelled';
  if (status === 'expired' || link.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (link.revokedAt) return 'replaced';
  if (status === 'waiting_for_consent' || status === 'consent_in_progress') return 'open';
  return 'ended';
}

/**
 * The workflow refused the Update in its validator (or had already finished): which page that means. Anything
 * else (the bank unreachable while creating the consent, Temporal down) is not a refusal and answers null.
 */
export function updateRefusal(error: unknown): Exclude<LinkState, 'open'> | null {
  if (error instanceof WorkflowNotFoundError) return 'ended';
  if (!(error instanceof WorkflowUpdateFailedError) || !(error.cause instanceof ApplicationFailure)) return null;
  const message = error.cause.message;
  if (/cancel/i.test(message)) return 'cancelled';
  if (/replaced/i.test(message)) return 'replaced';
  if (/expired/i.test(message)) return 'expired';
  if (/syncing|first transaction|active/i.test(message)) return 'connected';
  return 'ended';
}
