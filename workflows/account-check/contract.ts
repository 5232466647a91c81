import type { ConnectabilityCheck } from '../../domain/bank-account';

/** What callers need to run the account check (workflow.ts), without importing its body. */
export const ACCOUNT_CHECK_WORKFLOW = 'accountCheckWorkflow';

export interface AccountCheckInput {
  organizationId: string;
  bankAccountId: string;
}

export type AccountCheckWorkflow = (input: AccountCheckInput) => Promise<ConnectabilityCheck>;

export function accountCheckWorkflowId(bankAccountId: string): string {
  return `bank-account:${bankAccountId}:check`;
}
