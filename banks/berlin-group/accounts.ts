import { fitFields } from '../../domain/fit-entry';
import { normaliseIban } from '../../domain/iban';
import { ACCOUNT_FIELD_LIMITS, firstCharacters } from '../../domain/value-limits';
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
    const listed: BankAccountInfo = {
      resourceId: account.resourceId,
      iban: normaliseIban(account.iban),
      currency: account.currency,
      name: account.name ?? null,
      product: account.product ?? null,
      cashAccountType: account.cashAccountType ?? null,
    };
    // The rule of domain/value-limits.ts: what profile sync stores of an account fits its column, or the account,
    // which could never be stored or matched, is not offered.
    const fit = fitFields(listed, ACCOUNT_FIELD_LIMITS);
    const about = { bank: api.bankCode, resourceId: firstCharacters(listed.resourceId, 40) };
    if (fit.refusals.length > 0) {
      api.log?.warn({ ...about, refusals: fit.refusals }, 'consented account left out: a value cannot be stored');
      return [];
    }
    if (fit.warnings.length > 0) api.log?.warn({ ...about, warnings: fit.warnings }, 'consented account fitted');
    return [listed];
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
