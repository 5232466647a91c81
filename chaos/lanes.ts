import { createApiKey } from '../db/api-keys';
import { BankJournal, Environment, Organization } from '../db/entities';
import { migrate, openOrm } from '../db/orm';
import type { SandboxBankAdmin } from '../sandbox/bank';

/**
 * A lane is one client's person at the bank and one accounting office. The sandbox bank expires a person's former
 * recurring consent when they give a new one (Berlin Group), so each person consents in one office only and one
 * onboarding at a time: every onboarding of a lane links the same connection again, with a fresh consent (R-A9).
 * Each office has a main environment and sub-environments; a lane moves to the next one when the API refuses a
 * new onboarding because one is still open in the current one (the 409 of R-A9).
 */
export interface Lane {
  index: number;
  organizationId: string;
  environmentIds: string[];
  staffKey: string;
  bankCode: string;
  username: string;
  ibans: string[];
}

export const KVK_NUMBER = '68750110';
const SUB_ENVIRONMENTS = 4;

export async function prepareLanes(databaseUrl: string, admin: SandboxBankAdmin): Promise<Lane[]> {
  const people = admin
    .users()
    .filter((u) => u.role === 'Owner' || (u.role === 'AdministratorPlus' && u.canLinkAccounts));
  const orm = await openOrm(databaseUrl);
  try {
    await migrate(orm);
    const lanes: Lane[] = [];
    for (const [index, person] of people.entries()) {
      const em = orm.em.fork();
      const organization = em.create(Organization, {
        name: `Chaoskantoor ${index + 1} (${person.username})`,
        licencePayments: false,
        licenceDirectDebit: false,
        staffEmail: `staff-${index + 1}@chaos.test`,
      });
      const main = em.create(Environment, { organization, name: 'Hoofdadministratie', kind: 'main', parent: null });
      const subs = Array.from({ length: SUB_ENVIRONMENTS }, (_, n) =>
        em.create(Environment, { organization, name: `Deeladministratie ${n + 1}`, kind: 'sub', parent: main }),
      );
      for (const environment of [main, ...subs])
        em.create(BankJournal, { organization, environment, code: 'BNK', name: 'Bank' });
      await em.flush();
      const { key } = await createApiKey(em, organization, 'staff', 'chaos run', 'chaos');
      lanes.push({
        index,
        organizationId: organization.id,
        environmentIds: [main.id, ...subs.map((s) => s.id)],
        staffKey: key,
        bankCode: person.bank,
        username: person.username,
        ibans: admin
          .accounts()
          .filter((a) => a.companyKey === person.companyKey)
          .map((a) => a.iban),
      });
    }
    return lanes;
  } finally {
    await orm.close();
  }
}
