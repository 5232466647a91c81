import { normaliseIban } from '../../domain/iban';
import type { BankAccountInfo, BankBalance, BankSession } from '../connector';
import { amountCentsOf } from './amounts';
import { accountsSchema, balancesSchema, parseAnswer } from './schemas';
import type { Xs2aApi } from './xs2a';

/** The accounts a consent grants, and their balances. */

export async function listAccounts(api: Xs2aApi, session: BankSession): Promise<BankAccountInfo[]> {
  const answer = await api.call('GET', api.url('v1/accounts'), { session });
  const { accounts } = parseAnswer(api.bankCode, accountsSchema, answer.json, 'accounts');
  return accounts.flatMap((account) => {
    // Callers match accounts by IBAN; one without (a card account) cannot be matched, so it is not offered.
    if (!account.iban) {
      api.log?.warn({ bank: api.bankCode, resourceId: account.resourceId }, 'consented account without IBAN left out');
      return [];
    }
    return [
      {
        resourceId: account.resourceId,
        iban: normaliseIban(account.iban),
        currency: account.currency,
        name: account.name ?? null,
        product: account.product ?? null,
        cashAccountType: account.cashAccountType ?? null,
      },
    ];
  });
}

export async function balances(api: Xs2aApi, session: BankSession, resourceId: string): Promise<BankBalance[]> {
  const answer = await api.call('GET', api.url(`v1/accounts/${encodeURIComponent(resourceId)}/balances`), { session });
  const { balances } = parseAnswer(api.bankCode, balancesSchema, answer.json, 'balances');
  return balances.map((b) => ({
    balanceType: b.balanceType,
    amountCents: amountCentsOf(api.bankCode, b.balanceAmount.amount),
    currency: b.balanceAmount.currency,
    referenceDate: b.referenceDate ?? null,
  }));
}
