/**
 * The wizard's Accounts step (R-V12, R-V1, R-V4): which of the consented accounts the client may link, with which
 * options, and what that costs. Pure, so the workflow's update validator and the page apply the same rules.
 */

/** What the organization's licence allows besides importing transactions (R-V12: "depends on the licence"). */
export interface Licence {
  payments: boolean;
  directDebit: boolean;
}

/** One account the client consented to at the bank, as the wizard lists it. */
export interface OfferedAccount {
  iban: string;
  name: string | null;
  currency: string;
  /** current, savings, or the bank's own type when it is neither. */
  kind: 'current' | 'savings' | 'other';
  /** Why it cannot be linked (R-V1), or null. */
  notLinkable: string | null;
}

/** The client's choice for one account: an account with no option ticked is not linked. */
export interface AccountOptions {
  iban: string;
  importTransactions: boolean;
  payments: boolean;
  directDebit: boolean;
}

/** R-V4: two linked accounts cost nothing extra; each further one EUR 2.25 a month, billed afterwards. */
export const FREE_LINKED_ACCOUNTS = 2;
export const EXTRA_ACCOUNT_MONTHLY_CENTS = 225;

export function extraMonthlyCostCents(linkedAccounts: number): number {
  return Math.max(0, linkedAccounts - FREE_LINKED_ACCOUNTS) * EXTRA_ACCOUNT_MONTHLY_CENTS;
}

/**
 * R-V1: only current accounts, and savings accounts with their own IBAN. The bank reports the ISO 20022 cash
 * account type (CACC current, SVGS savings); an account without an IBAN of its own cannot be linked either.
 */
export function offeredAccount(account: {
  iban: string | null;
  name: string | null;
  currency: string;
  cashAccountType: string | null;
}): OfferedAccount {
  const kind =
    account.cashAccountType === 'CACC' ? 'current' : account.cashAccountType === 'SVGS' ? 'savings' : 'other';
  const iban = account.iban ?? '';
  const notLinkable = !iban
    ? 'the account has no IBAN of its own (R-V1)'
    : kind === 'other'
      ? `only current accounts and savings accounts can be linked, not ${account.cashAccountType ?? 'an account of unknown type'} (R-V1)`
      : null;
  return { iban, name: account.name, currency: account.currency, kind, notLinkable };
}

export function isLinked(options: AccountOptions): boolean {
  return options.importTransactions || options.payments || options.directDebit;
}

/** Every account that can be linked, with Transactions ticked: the default when the client does not choose. */
export function defaultChoice(offered: readonly Pick<OfferedAccount, 'iban' | 'notLinkable'>[]): AccountOptions[] {
  return offered
    .filter((a) => !a.notLinkable)
    .map((a) => ({ iban: a.iban, importTransactions: true, payments: false, directDebit: false }));
}

/** What is wrong with the client's choice, one sentence per problem; empty when it can be applied. */
export function accountChoiceProblems(
  choice: readonly AccountOptions[],
  offered: readonly Pick<OfferedAccount, 'iban' | 'notLinkable'>[],
  licence: Licence,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const options of choice) {
    const account = offered.find((a) => a.iban === options.iban);
    if (!account) problems.push(`${options.iban} is not one of the accounts consented to at the bank`);
    else if (account.notLinkable && isLinked(options))
      problems.push(`${options.iban} cannot be linked: ${account.notLinkable}`);
    if (seen.has(options.iban)) problems.push(`${options.iban} is chosen twice`);
    seen.add(options.iban);
    if (options.payments && !licence.payments)
      problems.push(`payments for ${options.iban} are not part of the licence (R-V12)`);
    if (options.directDebit && !licence.directDebit)
      problems.push(`direct debit for ${options.iban} is not part of the licence (R-V12)`);
  }
  if (!choice.some(isLinked)) problems.push('choose at least one account to link');
  return problems;
}
