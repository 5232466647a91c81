import type { EntityManager } from '@mikro-orm/postgresql';
import {
  BankAccount,
  BankJournal,
  ConnectedAccount,
  Connection,
  Consent,
  Environment,
  type IConsent,
  type IOnboarding,
} from '../../db/entities';
import { defaultChoice, isLinked, offeredAccount, type AccountOptions } from '../../domain/account-choice';
import { amsterdamDate } from '../../domain/amsterdam-time';
import { bankName } from '../../domain/bank';
import { fetchesPerDay } from '../../domain/connection';
import { communicationEnvironmentId } from '../../domain/environment';
import { normaliseIban } from '../../domain/iban';
import type { ActivityDeps } from '..';
import { consentedAccounts, loadOnboarding } from './shared';

export function createProfileSyncActivities(deps: Pick<ActivityDeps, 'orm' | 'bankConnector' | 'tokenCipher'>) {
  const { orm } = deps;
  return {
    /**
     * Step 5 (R-A12, R-A8, R-A11, R-A7): the consented accounts, matched by IBAN, join the connection of this
     * environment and bank agreement; accounts already connected stay as they are. Only linkable accounts (R-V1),
     * and of those the wizard's choice with its options (R-V12), or all of them with Transactions.
     */
    async syncProfile(input: {
      onboardingId: string;
      consentId: string;
      choice?: AccountOptions[] | null;
    }): Promise<{ connectionId: string; added: string[]; kept: string[] }> {
      const em = orm.em.fork();
      const onboarding = await loadOnboarding(em, input.onboardingId);
      const consent = await em.findOneOrFail(Consent, { id: input.consentId });
      const consented = await consentedAccounts(deps, em, onboarding.bankCode, input.consentId);
      const offered = consented.map((a) => offeredAccount({ ...a, iban: normaliseIban(a.iban) }));
      const choice = (input.choice ?? defaultChoice(offered)).filter(isLinked);
      const bankAccounts = consented.filter((a) => choice.some((c) => c.iban === normaliseIban(a.iban)));
      const environment = onboarding.environment;
      const mainId = communicationEnvironmentId({
        id: environment.id,
        kind: environment.kind,
        parentId: environment.parent?.id ?? null,
      });
      const connection = await activeConnection(em, onboarding, consent, mainId);
      const existing = await em.find(ConnectedAccount, { connection });
      // The bank's ids are per consent: the new consent's replace the old ones; nothing else of an account changes.
      for (const account of existing) {
        account.bankResourceId = consented.find((a) => normaliseIban(a.iban) === account.iban)?.resourceId ?? null;
      }
      const added: string[] = [];
      const kept: string[] = [];
      const journal = await em.findOne(BankJournal, { environment }, { orderBy: { createdAt: 'asc' } });
      for (const bankAccount of bankAccounts) {
        const iban = normaliseIban(bankAccount.iban);
        if (existing.some((a) => a.iban === iban)) {
          kept.push(iban);
          continue;
        }
        const environments = await em.find(Environment, { $or: [{ id: mainId }, { parent: mainId }] });
        const recorded =
          (await em.findOne(BankAccount, {
            organization: onboarding.organization,
            iban,
            environment: { $in: environments.map((e) => e.id) },
          })) ??
          em.create(BankAccount, {
            organization: onboarding.organization,
            environment,
            journal,
            name: bankAccount.name ?? `${bankName(onboarding.bankCode)} ${iban}`,
            type: bankAccount.cashAccountType === 'SVGS' ? 'savings' : 'current',
            iban,
            currency: bankAccount.currency,
            ledgerAccount: '1100',
            lastCheck: null,
          });
        const options = choice.find((c) => c.iban === iban)!;
        em.create(ConnectedAccount, {
          organization: onboarding.organization,
          connection,
          bankAccount: recorded,
          environment: recorded.environment,
          iban,
          currency: bankAccount.currency,
          bankResourceId: bankAccount.resourceId,
          importTransactions: options.importTransactions,
          payments: options.payments,
          directDebit: options.directDebit,
          // R-A5, R-A14: from 00:00 of the activation day; nothing older.
          switchOverDate: amsterdamDate(new Date()),
          firstTransactionAt: null,
          lastFetchAt: null,
          lastFetchResult: null,
        });
        added.push(iban);
      }
      onboarding.connection = connection;
      onboarding.accountChoice = choice;
      await em.flush();
      return { connectionId: connection.id, added, kept };
    },
  };
}

/**
 * The connection of this environment and bank agreement, made active on the new consent; a new one when there is
 * none. An account manager named in the wizard replaces the connection's; without one the connection keeps its own.
 */
async function activeConnection(em: EntityManager, onboarding: IOnboarding, consent: IConsent, mainId: string) {
  const bankAgreement = `${onboarding.kvkNumber}`;
  const connection =
    (await em.findOne(Connection, {
      communicationEnvironment: mainId,
      bankCode: onboarding.bankCode,
      bankAgreement,
    })) ??
    em.create(Connection, {
      organization: onboarding.organization,
      communicationEnvironment: mainId,
      clientCompany: onboarding.clientCompany ?? null,
      bankCode: onboarding.bankCode,
      bankAgreement,
      consent,
      state: 'active',
      syncProfileBlocked: false,
      fetchesPerDay: fetchesPerDay(consent.frequencyPerDay, false),
      stateReason: null,
      accountManagerName: onboarding.accountManagerName ?? null,
      accountManagerEmail: onboarding.accountManagerEmail ?? null,
      lastFetchAt: null,
    });
  connection.consent = consent;
  connection.state = 'active';
  connection.stateReason = null;
  connection.fetchesPerDay = fetchesPerDay(consent.frequencyPerDay, false);
  if (onboarding.accountManagerEmail) {
    connection.accountManagerName = onboarding.accountManagerName ?? null;
    connection.accountManagerEmail = onboarding.accountManagerEmail;
  }
  return connection;
}
