export {
  createSandboxBankApp,
  DEFAULT_SEED,
  type RunningSandboxBank,
  type SandboxBankOptions,
  startSandboxBank,
  type StartSandboxBankOptions,
} from './app';
export type { ConsentSummary, InjectedFaultRequest, NewTransaction, SandboxBankAdmin } from './admin';
export type { AccountLedger, Balance, LedgerEntry } from './ledger';
export type { OAuthClient, TokenResponse } from './oauth';
export { s256 } from './oauth';
export { SANDBOX_ACCOUNTS, SANDBOX_PASSWORD, TEST_USERS, type TestUser } from './test-users';
