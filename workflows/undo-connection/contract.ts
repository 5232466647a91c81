/** What the client pages need to start the undo (workflow.ts) without importing its body. */
export const UNDO_CONNECTION_WORKFLOW = 'undoConnectionWorkflow';

/** Ids only, like every workflow here: no token or bank secret. */
export interface UndoConnectionInput {
  connectionId: string;
  organizationId: string;
  /** The onboarding whose link the client undid, and the consent it gave. */
  onboardingId: string;
  consentId: string;
}

export interface UndoConnectionResult {
  outcome: 'undone' | 'already_undone';
  /** False when a later activation had replaced this consent: the connection runs on with the newer one. */
  connectionStopped: boolean;
}

export function undoConnectionWorkflowId(connectionId: string): string {
  return `connection:${connectionId}:undo`;
}

export type UndoConnectionWorkflow = (input: UndoConnectionInput) => Promise<UndoConnectionResult>;
