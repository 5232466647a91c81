import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AccountOptions } from '../../domain/account-choice';
import type { OnboardingFlavour, OnboardingStatus, WizardDetails } from '../../domain/onboarding';
import {
  BankCode,
  EnvironmentId,
  KvkNumber,
  OnboardingFlavour as OnboardingFlavourKey,
  OnboardingStatus as OnboardingStatusKey,
  OrganizationId,
} from '../search-attributes';

/**
 * What callers need to start, query, update and signal an onboarding (workflow.ts) without importing its body:
 * the API and the client pages, the undo and fetch activities, tests and benchmarks.
 */
export const ONBOARDING_WORKFLOW = 'onboardingWorkflow';

/** Ids only: the workflow never holds a token, code or bank secret (DESIGN.md). */
export interface OnboardingInput {
  onboardingId: string;
  organizationId: string;
  flavour: OnboardingFlavour;
}

export interface OnboardingState {
  status: OnboardingStatus;
  reason: string | null;
  consentDeadline: string | null;
  connectionId: string | null;
}

export function onboardingWorkflowId(onboardingId: string): string {
  return `onboarding:${onboardingId}`;
}

/**
 * What staff's start of an onboarding carries besides its input: the search attributes support filter on, and the
 * summary and details the Temporal UI shows.
 */
export function onboardingStartOptions(start: {
  organizationId: string;
  environment: { id: string; name: string };
  flavour: OnboardingFlavour;
  bank: string;
  kvkNumber: string;
  restartOf: string | null;
}) {
  return {
    typedSearchAttributes: [
      { key: OnboardingStatusKey, value: 'preparing' },
      { key: KvkNumber, value: start.kvkNumber },
      { key: OnboardingFlavourKey, value: start.flavour },
      { key: BankCode, value: start.bank },
      { key: OrganizationId, value: start.organizationId },
      { key: EnvironmentId, value: start.environment.id },
    ],
    staticSummary: `Onboarding of KvK ${start.kvkNumber} at ${start.bank} by ${start.flavour === 'serial' ? 'serial number' : 'activation link'}`,
    staticDetails: `Environment ${start.environment.name}; client e-mail on file; started by staff${start.restartOf ? `; restarts onboarding ${start.restartOf}` : ''}.`,
  };
}

export const stateQuery = defineQuery<OnboardingState>('state');
/** The client pressed "Koppelen" on the link page (R-A11): create the bank consent; answers the attempt id. */
export const startConsentUpdate = defineUpdate<{ attemptId: string }, [{ linkId: string }]>('startConsent');
/** The bank sent the client back (code or refusal stored with the attempt); answers what the page should say. */
export const consentReturnedUpdate = defineUpdate<
  { outcome: 'consented' | 'refused'; reason: string | null },
  [{ attemptId: string }]
>('consentReturned');
export const cancelUpdate = defineUpdate<OnboardingState, [{ by: string }]>('cancel');
/** Staff send the client a fresh link, or in the serial flavour a fresh serial number (the old one is revoked). */
export const resendUpdate = defineUpdate<{ linkId: string | null; serialNumberId?: string }, [{ by: string }]>(
  'resend',
);
/**
 * Serial flavour (R-V6, R-V9): the wizard verified serial number and KvK number (api/client/serial-check.ts) and
 * claims the onboarding; afterwards startConsent takes `{ linkId: serialNumberId }`. Refused when the serial
 * number was replaced, locked, expired or cancelled.
 */
export const claimSerialUpdate = defineUpdate<
  { onboardingId: string; consentDeadline: string | null },
  [{ serialNumberId: string; details?: WizardDetails }]
>('claimSerial');
/** The wizard's Connection step (R-V10): who receives the notices about the connection. */
export const accountManagerUpdate = defineUpdate<
  { recorded: true },
  [{ serialNumberId: string; name: string; email: string }]
>('accountManager');
/**
 * The wizard's Accounts step (R-V12): the accounts to link, with their options. Refused, with the problems in
 * words, when an account was not consented to, cannot be linked (R-V1), or an option is not in the licence.
 */
export const chooseAccountsUpdate = defineUpdate<
  { linked: number },
  [{ serialNumberId: string; accounts: AccountOptions[] }]
>('chooseAccounts');
/** Five wrong KvK numbers locked this serial number (R-V7); staff can resend a new one. */
export const serialLockedSignal = defineSignal<[{ serialNumberId: string }]>('serialLocked');
/**
 * The client undid the connection from the link page (R-A11; workflows/undo-connection/): stop waiting for
 * transactions.
 */
export const connectionUndoneSignal = defineSignal('connectionUndone');

/**
 * An import switched statement import on (R-A13; activities/fetch.ts): the first transactions are in, so the wait
 * for them ends now instead of at the next hourly check. Ignored by an onboarding that is not waiting for them.
 */
export const firstTransactionsImportedSignal = defineSignal('firstTransactionsImported');

/** Said on the onboarding and the connection when the client undoes the link. */
export const UNDONE_REASON = 'undone by the client';

export type OnboardingWorkflow = (input: OnboardingInput) => Promise<OnboardingState>;
