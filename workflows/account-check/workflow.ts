import { proxyActivities } from '@temporalio/workflow';
import type { ConnectabilityCheck } from '../../domain/bank-account';
import type { Activities } from '../../activities';
import type { AccountCheckInput } from './contract';

const { checkBankAccountConnectability } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  summary: 'Check the account type, IBAN and bank journal, and record the result',
  retry: { maximumAttempts: 5 },
});

/**
 * Checks whether a bank account can be connected and records the answer on the account. Prepare (DESIGN.md
 * step 1) runs the same check for every account of an onboarding.
 */
export async function accountCheckWorkflow(input: AccountCheckInput): Promise<ConnectabilityCheck> {
  return checkBankAccountConnectability(input);
}
