/** The workflow bundle's entry: every workflow the worker runs. */
export { accountCheckWorkflow } from './account-check';
export { fetchTransactionsWorkflow } from './fetch-transactions';
export { onboardingWorkflow } from './onboarding';
export { undoConnectionWorkflow } from './undo-connection';
