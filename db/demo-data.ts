import type { EntityManager } from '@mikro-orm/postgresql';
import { createApiKey } from './api-keys';
import { BankAccount, BankJournal, Environment, Organization } from './entities';

export const DEMO_ORGANIZATION_NAME = 'Demo Administratiekantoor';
/** A valid ING IBAN the sandbox bank also knows, so the demo account can be connected end to end. */
export const DEMO_IBAN = 'NL69INGB0123456789';

/**
 * The very first start creates a demo office so a new user can try the API at once. Runs in one transaction,
 * only when no organization exists yet; returns the admin key to print once, or null when there was data.
 */
export async function createDemoDataIfEmpty(em: EntityManager): Promise<string | null> {
  return em.transactional(async (tx) => {
    await tx.execute('LOCK TABLE organization IN EXCLUSIVE MODE');
    if ((await tx.count(Organization, {})) > 0) return null;
    // The demo licence includes payments and direct debit, so the wizard shows every option (R-V12).
    const organization = tx.create(Organization, {
      name: DEMO_ORGANIZATION_NAME,
      licencePayments: true,
      licenceDirectDebit: true,
    });
    const environment = tx.create(Environment, {
      organization,
      name: 'Hoofdadministratie',
      kind: 'main',
      parent: null,
    });
    const journal = tx.create(BankJournal, { organization, environment, code: 'ING', name: 'Bank ING' });
    tx.create(BankAccount, {
      organization,
      environment,
      journal,
      name: 'ING zakelijke rekening',
      type: 'current',
      iban: DEMO_IBAN,
      currency: 'EUR',
      ledgerAccount: '1100',
      lastCheck: null,
    });
    const { key } = await createApiKey(tx, organization, 'admin', 'Demo admin key', 'system:first-start');
    return key;
  });
}
