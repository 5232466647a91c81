import { ibanProblem } from './iban';

/** Account types as the bookkeeping records them (R-V1). */
export const BANK_ACCOUNT_TYPES = ['current', 'savings', 'cash'] as const;
export type BankAccountType = (typeof BANK_ACCOUNT_TYPES)[number];

/** The connection status shown in the bank-account list (R-V14, R-A13). */
export const CONNECTION_STATUSES = ['none', 'awaiting_first_transaction', 'active', 'consent_expired'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export interface AccountFacts {
  type: BankAccountType;
  iban: string | null;
  journalId: string | null;
  currency: string;
}

/** The result of checking whether an account may be connected; stored on the account by the check workflow. */
export interface ConnectabilityCheck {
  connectable: boolean;
  /** Reasons in words, each citing its rule, empty when connectable. */
  problems: string[];
  checkedAt: string;
}

/** Why an account's data itself is wrong (rejected at create/update), or null. */
export function accountShapeProblem(
  account: Pick<AccountFacts, 'type' | 'iban'>,
): { field: string; message: string } | null {
  if (account.type === 'cash') {
    return account.iban ? { field: 'iban', message: 'a cash account has no IBAN' } : null;
  }
  if (!account.iban) return { field: 'iban', message: `a ${account.type} account needs an IBAN` };
  const problem = ibanProblem(account.iban);
  return problem ? { field: 'iban', message: `IBAN ${problem}` } : null;
}

/**
 * Whether an account can get a bank connection. R-V1: only current accounts and savings accounts with their own
 * IBAN; a cash account never. R-A4: the account must be fully set up, linked to a bank journal.
 */
export function connectabilityProblems(account: AccountFacts): string[] {
  const problems: string[] = [];
  if (account.type === 'cash') problems.push('a cash account can never be connected to a bank (R-V1)');
  if (account.type === 'savings' && !account.iban) {
    problems.push('only a savings account with its own IBAN can be connected (R-V1)');
  }
  if (account.type !== 'cash') {
    if (!account.iban) problems.push('the account has no IBAN (R-V1)');
    else {
      const problem = ibanProblem(account.iban);
      if (problem) problems.push(`the IBAN ${problem}`);
    }
  }
  if (!account.journalId) problems.push('the account is not linked to a bank journal (R-A4)');
  return problems;
}

/**
 * The status shown per bank account (R-V14, R-A13): "none" without a connection; a connection whose consent ended
 * shows that first, because it needs action; otherwise active once the first transactions were imported.
 */
export function connectionStatusOf(
  links: readonly { connectionState: string; statementImportEnabled: boolean }[],
): ConnectionStatus {
  if (links.length === 0) return 'none';
  if (links.some((link) => link.connectionState === 'consent_invalid')) return 'consent_expired';
  return links.some((link) => link.statementImportEnabled) ? 'active' : 'awaiting_first_transaction';
}
