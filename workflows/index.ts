import type { AccountCheckWorkflow } from './account-check/contract';
import { accountCheckWorkflow } from './account-check/workflow';
import type { FetchTransactionsWorkflow } from './fetch-transactions/contract';
import { fetchTransactionsWorkflow } from './fetch-transactions/workflow';
import type { OnboardingWorkflow } from './onboarding/contract';
import { onboardingWorkflow } from './onboarding/workflow';
import type { UndoConnectionWorkflow } from './undo-connection/contract';
import { undoConnectionWorkflow } from './undo-connection/workflow';

/** The workflow bundle's entry: every workflow the worker runs, each under the name its contract gives callers. */
export { accountCheckWorkflow, fetchTransactionsWorkflow, onboardingWorkflow, undoConnectionWorkflow };

/** Each body has the signature its contract promises callers (who start it by name): checked where both meet. */
export type ContractsKept = [
  typeof accountCheckWorkflow extends AccountCheckWorkflow ? true : never,
  typeof fetchTransactionsWorkflow extends FetchTransactionsWorkflow ? true : never,
  typeof onboardingWorkflow extends OnboardingWorkflow ? true : never,
  typeof undoConnectionWorkflow extends UndoConnectionWorkflow ? true : never,
];
