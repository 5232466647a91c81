import { upsertSearchAttributes } from '@temporalio/workflow';
import type { AccountOptions, Licence, OfferedAccount } from '../../domain/account-choice';
import type { OnboardingStatus } from '../../domain/onboarding';
import { OnboardingStatus as OnboardingStatusKey } from '../search-attributes';
import { recordOnboardingStatus } from './activity-stubs';
import type { OnboardingInput, OnboardingState } from './contract';

/**
 * What one onboarding run knows, shared by its handlers (handlers.ts) and its steps (workflow.ts). Made per run by
 * `newRun`: a workflow file keeps no state at module level, where runs on the same worker would share it.
 */
export interface OnboardingRun {
  input: OnboardingInput;
  serial: boolean;
  state: OnboardingState;
  consentId: string | null;
  cancelled: boolean;
  /** The client undid the connection (connectionUndoneSignal). */
  undone: boolean;
  /** The import said the first transactions are in (firstTransactionsImportedSignal). */
  firstImported: boolean;
  linkId: string | null;
  /** Serial flavour: the current serial number, the one the wizard claimed, and those locked by wrong tries. */
  serialNumberId: string | null;
  claimedSerialId: string | null;
  lockedSerials: Set<string>;
  /** Serial flavour: what the Accounts step may offer, and what the client chose (R-V12). */
  offer: { accounts: Pick<OfferedAccount, 'iban' | 'notLinkable'>[]; licence: Licence } | null;
  accountChoice: AccountOptions[] | null;
  /** Refused trips to the bank so far; numbers the refusal e-mails, so two refusals send two. */
  refusedAttempts: number;
  /** E-mails a handler started without making the client's page wait for SMTP; awaited before the run ends. */
  background: Promise<unknown>[];
}

export function newRun(input: OnboardingInput): OnboardingRun {
  return {
    input,
    serial: input.flavour === 'serial',
    state: { status: 'preparing', reason: null, consentDeadline: null, connectionId: null },
    consentId: null,
    cancelled: false,
    undone: false,
    firstImported: false,
    linkId: null,
    serialNumberId: null,
    claimedSerialId: null,
    lockedSerials: new Set(),
    offer: null,
    accountChoice: null,
    refusedAttempts: 0,
    background: [],
  };
}

/** The status, where staff (the database) and support (the search attribute) read it. */
export async function setStatus(
  run: OnboardingRun,
  status: OnboardingStatus,
  reason: string | null = null,
  extra: { consentDeadline?: string; connectionId?: string } = {},
): Promise<void> {
  run.state.status = status;
  run.state.reason = reason;
  upsertSearchAttributes([{ key: OnboardingStatusKey, value: status }]);
  await recordOnboardingStatus({ onboardingId: run.input.onboardingId, status, reason, ...extra });
}
