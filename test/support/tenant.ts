import type { MikroORM } from '@mikro-orm/postgresql';
import { createApiKey } from '../../db/api-keys';
import { BankJournal, Environment, Organization } from '../../db/entities';
import type { Licence } from '../../domain/account-choice';
import type { ApiKeyRole } from '../../domain/api-key';

export interface Tenant {
  organizationId: string;
  mainEnvironmentId: string;
  journalId: string;
  keys: Record<ApiKeyRole, string>;
}

/**
 * An accounting office with a main environment, a bank journal and one key per role; its licence decides the wizard's
 * options (R-V12).
 */
export async function createTenant(orm: MikroORM, name: string, licence: Partial<Licence> = {}): Promise<Tenant> {
  const em = orm.em.fork();
  const organization = em.create(Organization, {
    name,
    licencePayments: licence.payments ?? false,
    licenceDirectDebit: licence.directDebit ?? false,
  });
  const environment = em.create(Environment, { organization, name: 'Hoofdadministratie', kind: 'main', parent: null });
  const journal = em.create(BankJournal, { organization, environment, code: 'BNK', name: 'Bank' });
  await em.flush();
  const keys = {} as Record<ApiKeyRole, string>;
  for (const role of ['admin', 'staff', 'support'] as const)
    keys[role] = (await createApiKey(em, organization, role, role, 'test')).key;
  return { organizationId: organization.id, mainEnvironmentId: environment.id, journalId: journal.id, keys };
}
